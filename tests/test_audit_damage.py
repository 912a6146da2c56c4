"""verify finds a damaged log that a recomputed chain hides, and never advises erasing it.

Each case edits the stored tables with SQL (tests/tamper.py), on SQLite and
PostgreSQL: a middle event deleted and the chain recomputed, the last events
deleted with their digests, a tracking position raised, a read-model row
forged. verify names each break by kind and position; its advice is to keep
the store and restore it from a backup, never to rebuild or re-chain; every
command that reads what was damaged exits 4 with one line.
"""

from __future__ import annotations

import pytest

from severa_ledger import DamagedHistoryError, Ledger
from severa_ledger.audit.verify import VerifyReport
from severa_ledger.cli.render_audit import verify_renderables
from tests.conftest import run
from tests.tamper import Tamper
from tests.test_audit_chain import BOUGHT, record_history
from tests.test_verify_strict import forge_total

C2_SUBSCRIPTION = "f66ca167-ef04-5abc-b825-50a112640c59"


@pytest.fixture
def stored(sql_url: str) -> tuple[str, Tamper]:
    """A recorded history (25 events) with its read models caught up, on SQLite or PostgreSQL."""
    with Ledger.open(sql_url) as ledger:
        record_history(ledger)
        ledger.catch_up()
    return sql_url, Tamper(sql_url)


def verified(url: str) -> tuple[VerifyReport, str]:
    """Return verify's report and its rendered text (verdict, tables), on one line."""
    with Ledger.open(url) as ledger:
        report = ledger.verify()
    shown = verify_renderables(report)
    text = " ".join(str(shown[0]).split())
    titles = " ".join(str(getattr(table, "title", "")) for table in shown[1:])
    return report, f"{text} {' '.join(titles.split())}"


def found(report: VerifyReport) -> list[tuple[str, int, str]]:
    """Return the log's breaks as (kind, position, aggregate)."""
    return [(d.kind, d.position, d.aggregate) for d in report.damage]


def assert_no_erasing_advice(report: VerifyReport, text: str) -> None:
    """The log is damaged: restore it; nothing advises rebuilding or re-chaining it."""
    assert not report.ok
    assert report.log_damaged
    assert "rebuild " not in text
    assert "--extend" not in text
    assert "restore it from a backup" in text


def assert_one_line_exit_4(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    code, _, err = run(capsys, "--db", url, *argv)
    assert (code, err.count("\n"), err[:7]) == (4, 1, "error: "), err
    return err


def test_a_middle_event_deleted_and_the_chain_recomputed_is_a_version_gap(
    stored: tuple[str, Tamper], capsys: pytest.CaptureFixture[str]
) -> None:
    """C2's purchase (position 7) gone, every digest recomputed: the chain agrees, but C2's
    subscription jumps from version 1 to 3 and position 7 is missing; history and bill of
    C2 exit 4 in one line and record nothing."""
    url, tamper = stored
    assert tamper.positions(BOUGHT)[1] == 7
    tamper.delete_and_rechain(7)
    report, text = verified(url)
    assert report.chain.ok
    assert found(report) == [("missing-events", 7, ""), ("version-gap", 8, C2_SUBSCRIPTION)]
    assert_no_erasing_advice(report, text)
    assert "the log is damaged (missing-events at 7, version-gap at 8)" in text
    events = len(tamper.positions())
    for argv in (["history", "C2"], ["bill", "--through", "2025-11-30"]):
        err = assert_one_line_exit_4(capsys, url, *argv)
        assert f"the stored history of Subscription {C2_SUBSCRIPTION} is damaged" in err
    assert len(tamper.positions()) == events
    with Ledger.open(url) as ledger, pytest.raises(DamagedHistoryError, match="version 3"):
        ledger.history("C2")


def test_the_last_events_deleted_with_their_digests_leave_read_models_ahead_of_the_log(
    stored: tuple[str, Tamper],
) -> None:
    """Positions 22 to 25 and their digests gone: the chain agrees, but every read model
    says it applied position 23, beyond the log's last event (21)."""
    url, tamper = stored
    assert tamper.delete_tail(4) == 22
    report, text = verified(url)
    assert report.chain.ok
    assert found(report) == [
        ("tracking-ahead", 23, "deliveries"),
        ("tracking-ahead", 23, "invoice_lines"),
        ("tracking-ahead", 23, "receivables"),
        ("tracking-ahead", 23, "subscriptions"),
    ]
    assert_no_erasing_advice(report, text)
    assert report.read_models is not None
    assert not report.read_models.ok
    assert "rebuilding them would fold the damaged log and hide the damage" in text


def test_a_tracking_position_raised_is_found(stored: tuple[str, Tamper]) -> None:
    """receivables' tracking position raised by 1,000: found at 1023, the log's head is 25."""
    url, tamper = stored
    tamper.raise_tracking("receivables", 1000)
    report, text = verified(url)
    assert found(report) == [("tracking-ahead", 1023, "receivables")]
    assert "beyond the log's last event (25)" in report.damage[0].message
    assert_no_erasing_advice(report, text)


def test_a_forged_invoice_total_is_not_log_damage_and_the_advice_keeps_a_copy(
    stored: tuple[str, Tamper],
) -> None:
    """A changed total in the read model: no log damage; the rebuild is advised only after
    keeping a copy of the store."""
    url, tamper = stored
    forge_total(tamper, "VSOY-000001", "1.00")
    report, text = verified(url)
    assert (report.ok, report.log_damaged, found(report)) == (False, False, [])
    assert "the log is intact: keep a copy of the store for investigation" in text


def test_an_unreadable_read_model_row_is_one_line_exit_4(
    stored: tuple[str, Tamper], capsys: pytest.CaptureFixture[str]
) -> None:
    """VSOY-000001's stored document overwritten: invoices and invoice exit 4 naming the row;
    history reads the log and still works."""
    url, tamper = stored
    documents = tamper.table("severa_ledger_documents")
    tamper.sql(f"UPDATE {documents} SET document = 'garbage' WHERE number = 'VSOY-000001'")
    for argv in (["invoices", "C1"], ["invoice", "VSOY-000001"]):
        err = assert_one_line_exit_4(capsys, url, *argv)
        assert "the read-model row VSOY-000001 of severa_ledger_documents cannot be read" in err
    assert run(capsys, "--db", url, "history", "C1")[0] == 0
