"""A bug of ours reaches the user as one line and exit 70, never as a traceback."""

from __future__ import annotations

import json
import sys

import pytest

from severa_ledger.cli.main import INTERNAL_ERROR, main
from severa_ledger.ledger.ledger import Ledger

cli_main = sys.modules["severa_ledger.cli.main"]


def _broken(ledger: Ledger, args: object) -> None:
    message = "a bug"
    raise AttributeError(message)


@pytest.fixture
def broken_licenses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the licenses command's handler fail as a bug would."""
    build = cli_main.build_parser

    def parser() -> object:
        built = build()
        built._subparsers._group_actions[0].choices["licenses"].set_defaults(handler=_broken)  # type: ignore[union-attr]
        return built

    monkeypatch.setattr(cli_main, "build_parser", parser)
    monkeypatch.delenv("SEVERA_LEDGER_DEBUG", raising=False)


@pytest.mark.usefixtures("broken_licenses")
def test_an_unexpected_exception_is_one_line_and_exit_70(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An exception that is no LedgerError prints one error line, no traceback, exit 70."""
    code = main(["--db", "memory://", "licenses", "C1"])
    err = capsys.readouterr().err
    assert code == INTERNAL_ERROR == 70
    assert err.startswith("error: internal error, a bug in severa-ledger")
    assert err.rstrip().endswith("AttributeError: a bug")
    assert "Traceback" not in err
    assert err.count("\n") == 1


@pytest.mark.usefixtures("broken_licenses")
def test_an_unexpected_exception_with_json_is_one_json_object(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With --format json the internal error is one JSON object naming the exception."""
    code = main(["--db", "memory://", "licenses", "C1", "--format", "json"])
    document = json.loads(capsys.readouterr().err)
    assert code == 70
    assert document["error"] == "AttributeError"
    assert document["exit"] == 70


@pytest.mark.usefixtures("broken_licenses")
def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """SEVERA_LEDGER_DEBUG=1 lets the exception through for the developer."""
    monkeypatch.setenv("SEVERA_LEDGER_DEBUG", "1")
    with pytest.raises(AttributeError, match="a bug"):
        main(["--db", "memory://", "licenses", "C1"])
