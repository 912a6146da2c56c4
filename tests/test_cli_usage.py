"""Usage errors (issue 26, item 8): JSON with ``--format json``, "did you mean", reversed ranges."""

from __future__ import annotations

import json

import pytest

from severa_ledger.cli import main


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run the CLI on a usage error; return its stderr after checking exit 2 and no stdout."""
    with pytest.raises(SystemExit) as leaving:
        main(list(argv))
    out, err = capsys.readouterr()
    assert (leaving.value.code, out) == (2, "")
    return err


@pytest.mark.parametrize(
    ("argv", "suggested"),
    [
        (("biil", "--today"), "did you mean 'bill'?"),
        (("bill", "--throught", "2025-06-30"), "did you mean '--through'?"),
        (("bill", "--today", "--throught=2025-06-30"), "did you mean '--through'?"),
        (("invoices", "--status", "overdu"), "did you mean 'overdue'?"),
        (("invoices", "--limt", "3"), "did you mean '--limit'?"),
    ],
)
def test_a_mistyped_command_or_option_gets_the_nearest_one(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], suggested: str
) -> None:
    """A close misspelling of a subcommand, an option or a choice is named (difflib)."""
    err = usage_error(capsys, *argv)
    assert err.rstrip().endswith(suggested), err


def test_a_word_like_none_gets_no_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    """Nothing near ``xyzzy``: the plain argparse message, no guess."""
    err = usage_error(capsys, "xyzzy")
    assert "invalid choice: 'xyzzy'" in err
    assert "did you mean" not in err


@pytest.mark.parametrize("form", [("--format", "json"), ("--format=json",)])
def test_a_usage_error_with_format_json_is_one_json_object(
    capsys: pytest.CaptureFixture[str], form: tuple[str, ...]
) -> None:
    """``--format json``: stderr is one JSON object, UsageError, exit 2, the suggestion kept."""
    err = usage_error(capsys, "bill", "--today", "--throught=2025-06-30", *form)
    assert json.loads(err) == {
        "error": "UsageError",
        "message": "severa-ledger: unrecognized arguments: --throught=2025-06-30; "
        "did you mean '--through'?",
        "rule": None,
        "exit": 2,
    }


@pytest.mark.parametrize(
    "argv",
    [
        ("export", "--from", "2025-07-01", "--to", "2025-06-30"),
        ("documents", "-o", "out", "--from", "2025-07-01", "--to", "2025-06-30"),
        ("invoices", "--from", "2025-07-01", "--to", "2025-06-30"),
    ],
)
def test_a_reversed_range_is_refused_naming_both_dates(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]
) -> None:
    """``--from`` after ``--to``: exit 2, both dates named, before any store is opened."""
    err = usage_error(capsys, "--db", "sqlite:////nonexistent/x.db", *argv)
    assert err.splitlines()[-1] == (
        "severa-ledger: error: --from 2025-07-01 is after --to 2025-06-30: "
        "the range would hold no day"
    )


def test_a_one_day_range_is_accepted(capsys: pytest.CaptureFixture[str], db: str) -> None:
    """``--from`` equal to ``--to`` is one day, not reversed."""
    assert main(["--db", db, "invoices", "--from", "2025-07-01", "--to", "2025-07-01"]) == 0
