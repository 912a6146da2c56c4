"""A retried write command (same ``--command-id``, same payload) says it was already recorded.

Issue 26, item 8: the ledger answers a replay with the first result and records
nothing; before, the CLI printed "recorded ..." both times. The stored log's
last position, unchanged by the call, tells the CLI it was a replay.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import run

PAY = ("pay", "VSOY-000002", "10.00", "--on", "2025-09-01")
FIRST = (
    "recorded a payment of 10.00 NOK on invoice VSOY-000002 (2025-09-01): paid 10.00, "
    "open 890.00, overdue"
)


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo store (billed through 2025-08-31) in a SQLite file."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run(capsys, "--db", url, "demo")[0] == 0
    return url


def last_position(url: str) -> int | None:
    """Return the stored log's last position."""
    with Ledger.open(url) as ledger:
        return ledger.recorder.max_notification_id()


def said(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    """Run a command that succeeds; return its output on one line."""
    code, out, err = run(capsys, "--db", url, *argv)
    assert (code, err) == (0, ""), err
    return " ".join(out.split())


def test_a_retried_payment_says_it_was_already_recorded(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    """pay twice with pay-1: "recorded" then "already recorded", one payment of 10.00 stored."""
    assert said(capsys, demo, *PAY, "--command-id", "pay-1") == FIRST
    head = last_position(demo)
    again = said(capsys, demo, *PAY, "--command-id", "pay-1")
    assert again == (
        f"already {FIRST} (command id pay-1 was recorded before: nothing new was recorded)"
    )
    assert last_position(demo) == head


def test_a_payment_without_a_command_id_is_recorded_each_time(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    """Without --command-id each pay is a new payment: the second reads paid 20.00."""
    said(capsys, demo, *PAY)
    assert said(capsys, demo, *PAY).startswith(
        "recorded a payment of 10.00 NOK on invoice VSOY-000002 (2025-09-01): paid 20.00"
    )


def test_every_write_command_tells_a_replay_in_its_json(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    """buy twice with buy-1 (JSON): already_recorded false, then true, the same order confirmation."""
    buy = ("buy", "1002", "user", "1", "--on", "2025-09-02", "--command-id", "buy-1")
    first = json.loads(run(capsys, "--db", demo, *buy, "--format", "json")[1])
    second = json.loads(run(capsys, "--db", demo, *buy, "--format", "json")[1])
    assert (first.pop("already_recorded"), second.pop("already_recorded")) == (False, True)
    assert first == second
    assert first["order_confirmation"]["sequence"] == 8


def test_a_retried_activation_says_already_recorded_in_its_text(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    """A message that does not start with "recorded" is led by "already recorded:"."""
    deactivate = ("deactivate", "1002", "lars", "--on", "2025-09-02", "--command-id", "d-1")
    assert said(capsys, demo, *deactivate) == "deactivated lars of 1002 on 2025-09-02"
    assert said(capsys, demo, *deactivate) == (
        "already recorded: deactivated lars of 1002 on 2025-09-02 (command id d-1 was "
        "recorded before: nothing new was recorded)"
    )
