"""Bank statements (camt.054) pay invoices, once per bank entry (R34, R29)."""

from __future__ import annotations

from datetime import date as D  # noqa: N812 -- short dates in tables
from decimal import Decimal
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.payment_errors import BankStatementError
from tests.conftest import finnish_company, open_customer, stored_log

FIXTURES = Path(__file__).parent / "fixtures" / "camt054"
NOK_ACCOUNT, EUR_ACCOUNT = "NO9386011117947", "FI2112345600000785"


def statement(name: str) -> bytes:
    """A hand-written fixture statement."""
    return (FIXTURES / name).read_bytes()


def bill(ledger: Ledger) -> None:
    """Issue VSOY-000001 (C1, NOK) and VSOY-000002 (C2, EUR) on Monday 2025-02-03.

    C1: 3 licenses x 3 months x 100.00 NOK = 900.00, a Norwegian buyer of the
    Finnish seller (no VAT). C2: 1 x 3 x 100.00 EUR = 300.00 + 25.5 % VAT = 376.50.
    """
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    open_customer(ledger, "C2", anchor=D(2025, 2, 1), company=finnish_company(), currency="EUR")
    ledger.buy_licenses("C2", "user", 1, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 2, 28))
    assert ledger.invoice("VSOY-000001").total == Decimal("900.00")
    assert ledger.invoice("VSOY-000002").total == Decimal("376.50")


def keys(found: tuple[object, ...]) -> list[str]:
    """The bank keys of a report's list."""
    return [item.transaction.key for item in found]  # type: ignore[attr-defined]


def test_statement_pays_invoice_by_structured_reference_and_by_number_in_text(
    memory_ledger: Ledger,
) -> None:
    """R34: 500.00 by the structured reference plus 400.00 by the text pay VSOY-000001's 900.00."""
    bill(memory_ledger)
    report = memory_ledger.import_payments(statement("v02-nok.xml"), source="v02-nok.xml")
    assert keys(report.matched) == [f"{NOK_ACCOUNT}/NDEA-0001", f"{NOK_ACCOUNT}/NDEA-0002"]
    assert [p.invoice_number for p in report.matched] == ["VSOY-000001", "VSOY-000001"]
    paid = memory_ledger.invoice("VSOY-000001", as_of=D(2025, 2, 10))
    assert (paid.paid, paid.status) == (Decimal("900.00"), "paid")
    assert memory_ledger.invoice("VSOY-000001", as_of=D(2025, 2, 9)).paid == Decimal(0)


def test_unmatched_and_ambiguous_entries_are_listed_and_not_recorded(
    memory_ledger: Ledger,
) -> None:
    """R34: a reference naming no invoice, or two, is reported; VSOY-000002 stays unpaid."""
    bill(memory_ledger)
    report = memory_ledger.import_payments(statement("v02-nok.xml"))
    unmatched = {str(s.transaction.bank_reference): s for s in report.unmatched}
    assert list(unmatched) == ["NDEA-0003", "NDEA-0004"]
    assert unmatched["NDEA-0003"].invoice_numbers == ()
    assert "no invoice" in unmatched["NDEA-0003"].reason
    assert unmatched["NDEA-0004"].invoice_numbers == ("VSOY-000001", "VSOY-000002")
    assert "more than one" in unmatched["NDEA-0004"].reason
    assert memory_ledger.invoice("VSOY-000002", as_of=D(2025, 2, 28)).paid == Decimal(0)


def test_debit_pending_wrong_currency_and_refused_entries_are_skipped(
    memory_ledger: Ledger,
) -> None:
    """R34, R11, R29: a debit, a pending entry, NOK for an EUR invoice, a payment before issue."""
    bill(memory_ledger)
    report = memory_ledger.import_payments(statement("v02-nok.xml"))
    skipped = {str(s.transaction.bank_reference): s.reason for s in report.skipped}
    assert list(skipped) == ["NDEA-0005", "NDEA-0006", "NDEA-0007", "NDEA-0008"]
    assert skipped["NDEA-0005"].startswith("a debit")
    assert skipped["NDEA-0006"] == "its currency is not the invoice's (EUR)"
    assert skipped["NDEA-0007"] == "not booked yet"
    assert skipped["NDEA-0008"].startswith("refused: ")
    assert "(R29)" in skipped["NDEA-0008"]
    assert memory_ledger.invoice("VSOY-000001").paid == Decimal("900.00")  # 500 + 400 only


def test_importing_the_same_statement_twice_records_nothing_twice(ledger: Ledger) -> None:
    """R34 on every store: the second import finds both payments already recorded."""
    bill(ledger)
    ledger.import_payments(statement("v02-nok.xml"))
    before = stored_log(ledger)
    again = ledger.import_payments(statement("v02-nok.xml"))
    assert stored_log(ledger) == before
    assert again.matched == ()
    assert keys(again.already_recorded) == [
        f"{NOK_ACCOUNT}/NDEA-0001",
        f"{NOK_ACCOUNT}/NDEA-0002",
    ]
    assert ledger.invoice("VSOY-000001").paid == Decimal("900.00")


def test_overlapping_statements_record_each_bank_entry_once(ledger: Ledger) -> None:
    """R34 on every store: the batch in both files is paid once; the new entry adds 20.00."""
    bill(ledger)
    first = ledger.import_payments(statement("v08-eur.xml"))
    assert keys(first.matched) == [f"{EUR_ACCOUNT}/OKOY-100/OKOY-100-1"]
    assert keys(first.unmatched) == [f"{EUR_ACCOUNT}/OKOY-100/OKOY-100-2"]  # the RF names nothing
    second = ledger.import_payments(statement("v08-eur-overlap.xml"))
    assert keys(second.already_recorded) == [f"{EUR_ACCOUNT}/OKOY-100/OKOY-100-1"]
    assert keys(second.matched) == [f"{EUR_ACCOUNT}/OKOY-101"]
    # 376.50 once (not 753.00) + 20.00: paid in full, 20.00 over (R29: credit).
    assert ledger.invoice("VSOY-000002").paid == Decimal("396.50")
    assert ledger.receivables("C2", as_of=D(2025, 2, 28)).credit == Decimal("20.00")
    assert ledger.verify().ok  # the payments re-derive, the read models agree


def test_dry_run_reports_what_would_be_recorded_and_records_nothing(
    memory_ledger: Ledger,
) -> None:
    """R34: a dry run lists the same outcome as the import and leaves the history untouched."""
    bill(memory_ledger)
    before = stored_log(memory_ledger)
    dry = memory_ledger.import_payments(statement("v02-nok.xml"), dry_run=True)
    assert stored_log(memory_ledger) == before
    done = memory_ledger.import_payments(statement("v02-nok.xml"))
    assert dry.dry_run
    assert (dry.matched, dry.unmatched, dry.skipped) == (done.matched, done.unmatched, done.skipped)


@pytest.mark.parametrize("dry_run", [False, True])
def test_entry_repeated_in_one_statement_is_paid_once(memory_ledger: Ledger, dry_run: bool) -> None:
    """R34: the same batch entry twice in a file: once matched, once already recorded."""
    bill(memory_ledger)
    data = statement("v08-eur.xml")
    entry = data[data.index(b"<Ntry>") : data.index(b"</Ntry>") + len(b"</Ntry>")]
    twice = data.replace(b"</Ntfctn>", entry + b"</Ntfctn>")
    report = memory_ledger.import_payments(twice, dry_run=dry_run)
    key = f"{EUR_ACCOUNT}/OKOY-100/OKOY-100-1"
    assert (keys(report.matched), keys(report.already_recorded)) == ([key], [key])
    assert memory_ledger.invoice("VSOY-000002").paid == Decimal(0 if dry_run else "376.50")


def test_bank_reference_reused_with_another_amount_is_skipped_not_recorded(
    memory_ledger: Ledger,
) -> None:
    """R34: the same bank entry with a changed amount is never a second payment."""
    bill(memory_ledger)
    memory_ledger.import_payments(statement("v08-eur.xml"))
    before = stored_log(memory_ledger)
    changed = statement("v08-eur.xml").replace(b">376.50<", b">300.00<")
    report = memory_ledger.import_payments(changed)
    assert stored_log(memory_ledger) == before
    (conflict,) = report.skipped
    assert conflict.transaction.bank_reference == "OKOY-100/OKOY-100-1"
    assert "was used for a different command" in conflict.reason


def test_amount_below_the_currency_minor_unit_is_refused_exactly(memory_ledger: Ledger) -> None:
    """R29: 500.005 NOK is no amount in øre: skipped, nothing rounded or recorded."""
    bill(memory_ledger)
    data = statement("v02-nok.xml").replace(b">500.00<", b">500.005<")
    report = memory_ledger.import_payments(data)
    assert "NDEA-0001" in [s.transaction.bank_reference for s in report.skipped]
    assert memory_ledger.invoice("VSOY-000001").paid == Decimal("400.00")


def test_entry_without_bank_reference_is_skipped(memory_ledger: Ledger) -> None:
    """R34: with no AcctSvcrRef there is nothing to record it once by: listed, not recorded."""
    bill(memory_ledger)
    data = statement("v02-nok.xml").replace(b"<AcctSvcrRef>NDEA-0001</AcctSvcrRef>", b"")
    report = memory_ledger.import_payments(data)
    assert "no bank reference" in report.skipped[0].reason
    assert memory_ledger.invoice("VSOY-000001").paid == Decimal("400.00")


def test_malformed_statement_is_refused_and_history_untouched(ledger: Ledger) -> None:
    """A statement that is not camt.054 raises BankStatementError naming it; nothing recorded."""
    bill(ledger)
    before = stored_log(ledger)
    broken = statement("v02-nok.xml").replace(b">400.00<", b">four hundred<")
    with pytest.raises(BankStatementError, match=r"^feb\.xml: entry 2: amount 'four hundred'"):
        ledger.import_payments(broken, source="feb.xml")
    assert stored_log(ledger) == before


def test_payment_from_a_bank_entry_is_dated_by_its_booking_date(memory_ledger: Ledger) -> None:
    """R34, R29: the payment takes the entry's booking date, 2025-02-12, as its effective date."""
    bill(memory_ledger)
    memory_ledger.import_payments(statement("v08-eur.xml"))
    assert memory_ledger.invoice("VSOY-000002", as_of=D(2025, 2, 11)).paid == Decimal(0)
    assert memory_ledger.invoice("VSOY-000002", as_of=D(2025, 2, 12)).status == "paid"


def test_statement_pays_invoice_by_its_kid(memory_ledger: Ledger) -> None:
    """R30, R34: the KID printed on VSOY-000001 (sequence 1, MOD10, 8 digits) pays it.

    By hand: payload 0000001, Luhn doubles the rightmost payload digit: 1 -> 2,
    sum 2, check digit (10 - 2) mod 10 = 8, so the KID is 00000018; the bank may
    send it with spaces or without its leading zeros.
    """
    bill(memory_ledger)
    assert memory_ledger.invoice("VSOY-000001").payment_reference == "00000018"
    one_entry = statement("v02-nok.xml").decode()
    first, rest = one_entry.split("</Ntry>", 1)
    xml = first + "</Ntry>" + rest[rest.rindex("</Ntfctn>") :]
    for reference, key in (("0000 0018", "NDEA-0001"), ("18", "NDEA-0001")):
        sent = xml.replace("<Ref>VSOY-000001</Ref>", f"<Ref>{reference}</Ref>")
        report = memory_ledger.import_payments(sent.encode(), source="kid.xml")
        assert [p.invoice_number for p in (*report.matched, *report.already_recorded)] == [
            "VSOY-000001"
        ], key
    paid = memory_ledger.invoice("VSOY-000001", as_of=D(2025, 2, 10))
    assert paid.paid == Decimal("500.00")
