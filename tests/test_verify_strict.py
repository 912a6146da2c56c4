"""verify forgives nothing, and every other reader fails cleanly on what verify reports.

An event whose topic names no event class (rewritten with SQL) is a verify
finding at its position; history, export, queries and commands that meet it
raise UnknownEventTypeError naming it (the CLI prints one line). Read-model
rows edited with SQL are verify findings naming the table and the key, with
the rebuild that fixes them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from severa_ledger import Ledger, UnknownEventTypeError
from tests.conftest import run
from tests.tamper import CHAIN, Tamper
from tests.test_audit_chain import BOUGHT, record_history

GONE = "nowhere:Gone.v1"
TOTAL = '"total":{"_type_":"decimal_str","_data_":"%s"}'


@pytest.fixture
def history(sql_url: str) -> tuple[str, Tamper]:
    """A recorded history with its read models caught up, on SQLite or PostgreSQL."""
    with Ledger.open(sql_url) as ledger:
        record_history(ledger)
        ledger.catch_up()
    return sql_url, Tamper(sql_url)


def retopic(tamper: Tamper) -> tuple[int, str, int]:
    """Rewrite the first purchase's topic to GONE; return its position, aggregate, version."""
    position = tamper.positions(BOUGHT)[0]
    originator, version, _, _ = tamper.row(position)
    tamper.sql(f"UPDATE {tamper.events} SET topic = ? WHERE {tamper.id} = ?", GONE, position)
    return position, str(UUID(str(originator))), version


def table(tamper: Tamper, name: str) -> str:
    """Return a read-model table's name as SQL must give it on the tampered store."""
    return tamper.chain.replace(CHAIN, name)


def forge_total(tamper: Tamper, number: str, total: str) -> None:
    """Set an invoice's total in the invoices table and in its stored document."""
    invoices = table(tamper, "severa_ledger_invoices")
    documents = table(tamper, "severa_ledger_documents")
    (stored,) = tamper.sql(f"SELECT total FROM {invoices} WHERE number = ?", number)
    tamper.sql(f"UPDATE {invoices} SET total = ? WHERE number = ?", total, number)
    tamper.sql(f"UPDATE {documents} SET document = replace(document, ?, ?) WHERE number = ?",
               TOTAL % stored[0], TOTAL % total, number)  # fmt: skip


# ------------------------------------------------------------- unknown topics


def test_an_event_of_unknown_type_is_a_verify_finding_at_its_position(
    history: tuple[str, Tamper],
) -> None:
    """A purchase's topic rewritten: verify reports it with its position instead of raising."""
    url, tamper = history
    position, originator, version = retopic(tamper)
    with Ledger.open(url) as ledger:
        report = ledger.verify()
    assert not report.ok
    found = [(e.position, e.topic, e.originator_id, e.originator_version)
             for e in report.unknown_events]  # fmt: skip
    assert found == [(position, GONE, originator, version)]


def test_verify_prints_an_unknown_event_type_and_exits_1(
    history: tuple[str, Tamper], capsys: pytest.CaptureFixture[str]
) -> None:
    """The table names the position and topic; the JSON report carries them."""
    url, tamper = history
    position, _, _ = retopic(tamper)
    code, out, err = run(capsys, "--db", url, "verify")
    assert (code, err) == (1, "")
    assert f"1 stored event has an unknown type (first at {position})" in " ".join(out.split())
    assert GONE in out
    code, out, _ = run(capsys, "verify", "--db", url, "--format", "json")
    (unknown,) = json.loads(out)["unknown_events"]
    assert (code, unknown["position"], unknown["topic"]) == (1, position, GONE)


def test_reading_an_event_of_unknown_type_is_a_ledger_error_naming_it(
    history: tuple[str, Tamper],
) -> None:
    """history, export, a known_at query, an early as_of and a command each raise
    UnknownEventTypeError naming the topic and the aggregate and pointing at verify."""
    url, tamper = history
    position, originator, version = retopic(tamper)
    named = f"of aggregate {originator} version {version} has the topic {GONE!r}"
    now = datetime.now(UTC)
    with Ledger.open(url) as ledger:
        readers: list[Callable[[], object]] = [
            lambda: ledger.history("C1"),
            lambda: ledger.invoices("C1", known_at=now),
            lambda: ledger.license_counts("C1", as_of=date(2025, 5, 1)),
            lambda: ledger.buy_licenses("C1", "user", 1, on=date(2025, 9, 1)),
        ]
        for read in readers:
            with pytest.raises(UnknownEventTypeError, match="run verify") as refused:
                read()
            assert named in str(refused.value)
        with pytest.raises(UnknownEventTypeError) as refused:
            ledger.export(io.StringIO())
        assert f"at position {position} {named}" in str(refused.value)


@pytest.mark.parametrize("command", [["history", "C1"], ["export"]])
def test_the_cli_refuses_an_unknown_event_type_in_one_line(
    history: tuple[str, Tamper], command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 4 (the store holds what this program cannot read) and one line, no traceback."""
    url, tamper = history
    retopic(tamper)
    code, _, err = run(capsys, "--db", url, *command)
    assert code == 4  # stored events this program cannot read (README.md, "Exit codes")
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    assert GONE in err
    assert "severa-ledger verify" in err


# ---------------------------------------------------------------- read models


def test_untouched_read_models_verify_on_every_store(store_url: str) -> None:
    """Caught up, then more recorded without a catch-up: every row compared matches."""
    with Ledger.open(store_url) as ledger:
        record_history(ledger)
        ledger.catch_up()
        ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
        report = ledger.verify()
    assert report.ok, report.read_models
    assert report.read_models is not None
    assert report.read_models.rows > 10
    assert report.read_models.events > 10


def test_a_forged_invoice_total_in_the_read_models_is_found_with_its_table_and_key(
    history: tuple[str, Tamper],
) -> None:
    """VSOY-000001's total set to 1.00 in two tables: `invoices` shows it, verify names both
    rows and the receivables rebuild; after the rebuild all verifies."""
    url, tamper = history
    forge_total(tamper, "VSOY-000001", "1.00")
    with Ledger.open(url) as ledger:
        assert ledger.invoice("VSOY-000001").total == 1
        report = ledger.verify()
        assert not report.ok
        models = report.read_models
        assert models is not None
        assert models.rebuild == ("receivables",)
        found = {(f.table, f.key): f.message for f in models.findings}
        assert set(found) == {("severa_ledger_invoices", "VSOY-000001"),
                              ("severa_ledger_documents", "VSOY-000001")}  # fmt: skip
        assert found["severa_ledger_invoices", "VSOY-000001"].startswith("total: stored 1")
        assert found["severa_ledger_documents", "VSOY-000001"] == (
            "document.total: stored 1.00, re-derived 900.00"
        )
        ledger.read_models.rebuild("receivables")
        assert ledger.invoice("VSOY-000001").total == 900
        assert ledger.verify().ok


def test_verify_prints_the_forged_rows_and_the_rebuild_and_exits_1(
    history: tuple[str, Tamper], capsys: pytest.CaptureFixture[str]
) -> None:
    """The verdict and the table name the rows and `severa-ledger projections rebuild`."""
    url, tamper = history
    forge_total(tamper, "VSOY-000001", "1.00")
    code, out, _ = run(capsys, "--db", url, "verify")
    flat = " ".join(out.split())
    assert code == 1
    assert "read-model rows differ from the events" in flat
    assert "severa-ledger projections rebuild receivables" in flat
    assert "severa_ledger_invoices │ VSOY-000001" in flat


def test_a_deleted_and_an_invented_read_model_row_are_found(history: tuple[str, Tamper]) -> None:
    """A license count row deleted and a receivables row invented: 'missing' and 'not in
    the events', each with its table and key."""
    url, tamper = history
    counts, receivables = (table(tamper, n) for n in ("severa_ledger_license_counts",
                                                      "severa_ledger_receivables"))  # fmt: skip
    tamper.sql(f"DELETE FROM {counts} WHERE customer_number = 'C2'")
    tamper.sql(f"INSERT INTO {receivables} SELECT 'forged-id', 'C9', documents, "
               f"balance, credit FROM {receivables} WHERE customer_number = 'C1'")  # fmt: skip
    with Ledger.open(url) as ledger:
        models = ledger.verify().read_models
    assert models is not None
    found = {(f.projection, f.table, f.key): f.message.split(":")[0] for f in models.findings}
    assert found == {
        ("subscriptions", "severa_ledger_license_counts", "C2, user"): "missing",
        ("receivables", "severa_ledger_receivables", "forged-id"): "not in the events",
    }


def test_workers_check_the_read_models_as_one_process_does(history: tuple[str, Tamper]) -> None:
    """verify with two worker processes reports the same forged row as without."""
    url, tamper = history
    forge_total(tamper, "VSOY-000003", "2.00")
    with Ledger.open(url) as ledger:
        alone, together = ledger.verify(workers=1), ledger.verify(workers=2)
    assert together == alone
    assert not together.ok
    assert together.read_models is not None
    assert {f.key for f in together.read_models.findings} == {"VSOY-000003"}


def test_a_read_model_row_that_cannot_be_read_is_a_finding(history: tuple[str, Tamper]) -> None:
    """A document overwritten with text that is not JSON: its table is a finding, no crash."""
    url, tamper = history
    documents = table(tamper, "severa_ledger_documents")
    tamper.sql(f"UPDATE {documents} SET document = 'garbage' WHERE number = 'VSOY-000001'")
    with Ledger.open(url) as ledger:
        report = ledger.verify()
    assert not report.ok
    assert report.read_models is not None
    ((where, message),) = [((f.table, f.key), f.message) for f in report.read_models.findings]
    assert where == ("severa_ledger_documents", "*")
    assert message.startswith("the table cannot be read (JSONDecodeError")
