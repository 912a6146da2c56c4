"""Re-derivation: every order and invoice is recomputed from the input events.

The tampering here recomputes the digest chain afterwards, so the hash check
passes: only the arithmetic check can notice, and it does.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from severa_ledger import Ledger
from severa_ledger.audit import rederive as rederive_module
from severa_ledger.audit.rederive import Finding
from tests.conftest import open_customer
from tests.tamper import Tamper
from tests.test_audit_chain import record_history


@pytest.fixture
def tamper(sql_url: str) -> Tamper:
    """SQL access to a ledger holding the chain tests' history (VSOY-000001: C1, 900.00)."""
    with Ledger.open(sql_url) as ledger:
        record_history(ledger)
    return Tamper(sql_url)


@pytest.fixture
def sqlite_tamper(tmp_path: object) -> Tamper:
    """The same, on SQLite only."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        record_history(ledger)
    return Tamper(url)


def position_of(tamper: Tamper, topic_part: str, needle: str) -> int:
    """Return the position of the first event of ``topic_part`` whose state holds ``needle``."""
    return next(p for p in tamper.positions(topic_part) if needle.encode() in tamper.state(p))


def rechain_and_verify(tamper: Tamper) -> tuple[bool, tuple[Finding, ...]]:
    """Recompute every digest (as a careful forger would), then verify."""
    tamper.drop_digests()
    with Ledger.open(tamper.url) as ledger:
        ledger.extend_chain()
        report = ledger.verify()
    return report.chain.ok, report.findings


def test_an_altered_invoice_total_is_found_though_the_chain_was_recomputed(
    tamper: Tamper,
) -> None:
    """VSOY-000001 (3 licenses x 3 months x 100.00, reverse charge) says 9999.00: found."""
    position = position_of(tamper, "InvoiceIssued", "VSOY-000001")
    tamper.edit_json(position, ["invoice", "_data_", "total", "_data_"], "9999.00")
    chain_ok, findings = rechain_and_verify(tamper)
    assert chain_ok
    assert findings == (
        Finding("C1", "invoice VSOY-000001", "total: stored 9999.00, re-derived 900.00"),
    )


def test_an_altered_order_line_is_found_with_the_invoice_it_feeds(sqlite_tamper: Tamper) -> None:
    """C1's first order line 900.00 -> 800.00: the order, its stated net and its invoice differ."""
    position = position_of(sqlite_tamper, "OrderConfirmed", '"customer_number":"C1"')
    state = json.loads(sqlite_tamper.state(position))
    state["order"]["_data_"]["lines"][0]["_data_"]["amount"]["_data_"] = "800.00"
    sqlite_tamper.set_state(position, json.dumps(state).encode())
    chain_ok, findings = rechain_and_verify(sqlite_tamper)
    assert chain_ok
    assert [(f.customer_number, f.document) for f in findings] == [
        ("C1", "order 1"),
        ("C1", "invoice VSOY-000001"),
        ("C1", "order 1"),
    ]
    assert findings[0].message == "states net 900.00 but its lines sum to 800.00"
    assert "lines[1].amount: stored 900.00, re-derived 800.00" in findings[1].message
    assert findings[2].message == (
        "lines[1].amount: stored 800.00, re-derived 900.00; "
        "lines[1].explanation: explains amount 900.00, the line has 800.00"
    )


def test_an_altered_price_is_found_in_every_order_it_priced(sqlite_tamper: Tamper) -> None:
    """C2's price 100.00 -> 110.00 in its opening event: C2's orders no longer re-derive."""
    position = position_of(sqlite_tamper, "SubscriptionOpened", '"C2"')
    state = sqlite_tamper.state(position)
    sqlite_tamper.set_state(position, state.replace(b'"100.00"', b'"110.00"', 1))
    chain_ok, findings = rechain_and_verify(sqlite_tamper)
    assert chain_ok
    documents = {f.document for f in findings if f.customer_number == "C2"}
    assert {"order 1", "order 2"} <= documents
    assert {f.customer_number for f in findings} == {"C2"}


def test_the_arithmetic_check_is_independent_of_the_hash_check(sqlite_tamper: Tamper) -> None:
    """A user renamed kari -> kars without rechaining: the chain notices, the documents still add up."""
    position = position_of(sqlite_tamper, "UserActivated", "kari")
    sqlite_tamper.edit_json(position, ["user_id"], "kars")
    with Ledger.open(sqlite_tamper.url) as ledger:
        report = ledger.verify()
    assert report.chain.problem is not None
    assert (report.chain.problem.kind, report.chain.problem.position) == ("altered", position)
    assert report.findings == ()


def test_an_unreadable_event_is_a_finding_not_a_crash(sqlite_tamper: Tamper) -> None:
    """A state whose JSON no longer parses: the chain and the re-derivation both report it."""
    position = position_of(sqlite_tamper, "UserActivated", "kari")
    sqlite_tamper.flip_byte(position, b"{", b"[")
    with Ledger.open(sqlite_tamper.url) as ledger:
        report = ledger.verify()
    assert report.chain.problem is not None
    assert report.chain.problem.position == position
    assert [(f.customer_number, f.document) for f in report.findings] == [("C1", "history")]
    assert report.findings[0].message.startswith("unreadable: ")


def test_an_altered_credit_note_is_found(tmp_path: object) -> None:
    """A credit note of VSOY-000001 changed to -800.00 (chain recomputed): found."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        record_history(ledger)
        credit = ledger.credit_invoice("VSOY-000001", reason="wrong count", on=date(2025, 9, 1))
        assert ledger.verify().ok
    tamper = Tamper(url)
    position = position_of(tamper, "CreditNoteIssued", credit)
    tamper.edit_json(position, ["credit_note", "_data_", "total", "_data_"], "-800.00")
    chain_ok, findings = rechain_and_verify(tamper)
    assert chain_ok
    assert findings == (
        Finding("C1", f"credit note {credit}", "total: stored -800.00, re-derived -900.00"),
    )


def test_company_details_recorded_after_an_invoice_do_not_count_against_it(
    memory_ledger: Ledger,
) -> None:
    """Renamed from 2025-05-03 but recorded after the 2025-05-05 invoice: the invoice re-derives."""
    open_customer(memory_ledger, "C1", anchor=date(2025, 5, 1))
    memory_ledger.buy_licenses("C1", "user", 3, on=date(2025, 5, 1))
    (number,) = memory_ledger.run_billing(through=date(2025, 5, 5)).invoice_numbers
    renamed = "Fjordtech Consulting Holding AS"
    memory_ledger.change_company_details("C1", on=date(2025, 5, 3), legal_name=renamed)
    assert memory_ledger.invoice(number).buyer.legal_name == "Fjordtech Consulting AS"
    subscription = memory_ledger.subscription("C1")
    assert subscription is not None
    assert subscription.company_on(date(2025, 5, 5)).legal_name == renamed
    report = memory_ledger.verify()
    assert report.ok, report.findings


def test_workers_find_what_one_process_finds(
    tamper: Tamper, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-derived by two workers, one customer a chunk: the same report, findings in order."""
    monkeypatch.setattr(rederive_module, "CUSTOMERS_PER_READ", 1)
    position = position_of(tamper, "InvoiceIssued", "VSOY-000001")
    tamper.edit_json(position, ["invoice", "_data_", "total", "_data_"], "9999.00")
    tamper.drop_digests()
    with Ledger.open(tamper.url) as ledger:
        ledger.extend_chain()
        alone = ledger.verify(workers=1)
        together = ledger.verify(workers=2)
    assert together == alone
    assert together.rederivation.customers == 2
    assert together.findings == (
        Finding("C1", "invoice VSOY-000001", "total: stored 9999.00, re-derived 900.00"),
    )
