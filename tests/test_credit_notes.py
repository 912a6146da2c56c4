"""Credit notes in sequence, and partial credits, amounts worked out by hand (R17, R27, R33).

The invoice credited is VSAS-000003 of 2025-04-01 (Visma Software AS, a Norwegian
buyer, 25 % VAT): the renewal of 2025-05-01..2025-07-31 with two lines,

1. admin: 1 license x 3 months x 45.55 = 136.65 (3 license-months)
2. user: 3 licenses x 3 months x 100.00 = 900.00 (9 license-months)

net 1036.65, VAT 25 % of it = 259.1625 -> 259.16, total 1295.81.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import (
    CreditExceedsInvoiceError,
    CreditLineRefusedError,
    CreditNoteDateError,
    EffectiveDateError,
    InvalidCreditLineError,
    InvalidValueError,
    InvoiceNotCreditableError,
    Ledger,
)
from severa_ledger.domain.credits import CreditedLine
from tests.conftest import norwegian_company, stored_log

D = date
NOK = Decimal
INVOICE = "VSAS-000003"


def two_lines(ledger: Ledger) -> None:
    """Bill the two-line renewal VSAS-000003 of 2025-04-01 (after VSAS-000001 and -000002)."""
    ledger.open_subscription(
        "C1",
        company=norwegian_company(),
        currency="NOK",
        period_months=3,
        anchor=D(2025, 2, 1),
        prices={"user": NOK("100.00"), "admin": NOK("45.55")},
        on=D(2025, 2, 1),
        seller="visma-software-as",
        regime="in_advance",
    )
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    ledger.buy_licenses("C1", "admin", 1, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 4, 30))


@pytest.fixture
def billed(memory_ledger: Ledger) -> Ledger:
    """A ledger holding VSAS-000003 as the module docstring states it."""
    two_lines(memory_ledger)
    invoice = memory_ledger.invoice(INVOICE)
    assert (invoice.issue_date, invoice.total) == (D(2025, 4, 1), NOK("1295.81"))
    assert [(x.kind, x.amount) for x in invoice.lines] == [
        ("admin", NOK("136.65")),
        ("user", NOK("900.00")),
    ]
    return memory_ledger


def test_part_of_a_line_is_credited_as_license_months_with_25_percent_vat(billed: Ledger) -> None:
    """R33: 200.00 of line 2 is 2 license-months at 100.00; VAT 50.00; 1045.81 stays open."""
    number = billed.credit_invoice(
        INVOICE, reason="two seats", on=D(2025, 4, 2), lines=[CreditedLine(2, NOK("200.00"))]
    )
    note = billed.invoice(number)
    assert number == "VSAS-000004"
    assert [(x.kind, x.quantity, x.unit_price, x.amount) for x in note.lines] == [
        ("user", -2, NOK("100.00"), NOK("-200.00"))
    ]
    assert (note.net, note.vat, note.total) == (NOK("-200.00"), NOK("-50.00"), NOK("-250.00"))
    assert note.credited_issue_date == D(2025, 4, 1)
    explained = note.lines[0].explanation
    assert explained is not None
    assert explained.problems(NOK("100.00"), -2, NOK("-200.00")) == []
    assert explained.sentence("en") == "credits part of line 2 of VSAS-000003: 2 x 100.00 = 200.00"
    assert explained.sentence("nb") == (
        "krediterer en del av linje 2 på VSAS-000003: 2 x 100,00 = 200,00"
    )
    invoice = billed.invoice(INVOICE, as_of=D(2025, 4, 2))
    assert (invoice.status, invoice.open_amount) == ("open", NOK("1045.81"))
    left = billed.creditable(INVOICE)
    assert [(x.line, x.credited, x.remaining) for x in left.lines] == [
        (1, NOK("0.00"), NOK("136.65")),
        (2, NOK("200.00"), NOK("700.00")),
    ]
    assert left.remaining == NOK("836.65")


def test_an_amount_that_is_no_whole_number_of_units_is_one_unit_at_that_price(
    billed: Ledger,
) -> None:
    """R33, PEPPOL-EN16931-R120: 0.87 of line 1 is 1 x 0.87; VAT 0.2175 -> 0.22."""
    number = billed.credit_invoice(INVOICE, reason="rounding", on=D(2025, 4, 2), lines={1: "0.87"})
    note = billed.invoice(number)
    assert [(x.quantity, x.unit_price, x.amount) for x in note.lines] == [
        (-1, NOK("0.87"), NOK("-0.87"))
    ]
    assert (note.vat, note.total) == (NOK("-0.22"), NOK("-1.09"))


def test_the_last_credit_of_a_category_takes_exactly_the_vat_that_remains(billed: Ledger) -> None:
    """R27, R33: 3 x 45.55 of line 1 take 11.39 VAT each; the rest takes 224.99, not 225.00.

    45.55 x 25 % = 11.3875 -> 11.39 (half-up), three times 34.17; what remains of
    the invoice's 259.16 is 224.99, and the credit notes then sum to its total.
    """
    for _ in range(3):
        billed.credit_invoice(
            INVOICE, reason="admin", on=D(2025, 4, 2), lines=[CreditedLine(1, NOK("45.55"))]
        )
    last = billed.invoice(billed.credit_invoice(INVOICE, reason="the rest", on=D(2025, 4, 3)))
    assert [(x.quantity, x.amount) for x in last.lines] == [(-9, NOK("-900.00"))]
    assert (last.vat, last.total) == (NOK("-224.99"), NOK("-1124.99"))
    notes = [v for v in billed.invoices("C1") if v.credited_invoice == INVOICE]
    assert [n.vat for n in notes] == [NOK("-11.39")] * 3 + [NOK("-224.99")]
    assert sum(n.total for n in notes) == NOK("-1295.81")
    credited = billed.invoice(INVOICE)
    assert (credited.status, credited.open_amount, credited.credited_by) == (
        "credited",
        NOK("0.00"),
        "VSAS-000007",
    )
    assert billed.creditable(INVOICE).remaining == 0


def test_chosen_lines_in_full_and_a_full_credit_after_a_partial_one(billed: Ledger) -> None:
    """R17, R33: line 1 in full (-136.65, VAT -34.16); then all that remains: line 2's 900.00."""
    first = billed.invoice(
        billed.credit_invoice(INVOICE, reason="admin", on=D(2025, 4, 2), lines={1: None})
    )
    # 136.65 x 25 % = 34.1625 -> 34.16
    assert (first.net, first.vat, first.total) == (NOK("-136.65"), NOK("-34.16"), NOK("-170.81"))
    rest = billed.invoice(billed.credit_invoice(INVOICE, reason="all", on=D(2025, 4, 2)))
    # what remains of 259.16 after 34.16: 225.00 (= 900.00 x 25 %)
    assert (rest.net, rest.vat, rest.total) == (NOK("-900.00"), NOK("-225.00"), NOK("-1125.00"))
    assert billed.receivables("C1").balance == NOK("1125.00") + NOK("170.81")  # -000001, -000002


def test_a_credit_dated_before_the_series_latest_issue_date_is_refused(billed: Ledger) -> None:
    """R33: VSAS-000001 (2025-02-01) credited on 2025-03-01, after -000003 of 2025-04-01: refused."""
    before = stored_log(billed)
    with pytest.raises(CreditNoteDateError) as refused:
        billed.credit_invoice("VSAS-000001", reason="late", on=D(2025, 3, 1))
    assert "2025-03-01" in str(refused.value)
    assert "2025-04-01" in str(refused.value)
    assert isinstance(refused.value, EffectiveDateError | InvoiceNotCreditableError)
    assert stored_log(billed) == before
    number = billed.credit_invoice("VSAS-000001", reason="in order", on=D(2025, 4, 1))
    assert billed.invoice(number).issue_date == D(2025, 4, 1)


def test_a_credit_note_moves_the_series_latest_date_forward(billed: Ledger) -> None:
    """R33: after a credit note of 2025-05-10, another dated 2025-05-09 is refused."""
    billed.credit_invoice(INVOICE, reason="one", on=D(2025, 5, 10), lines=[{"line": 1}])
    before = stored_log(billed)
    with pytest.raises(CreditNoteDateError, match=r"2025-05-09.*2025-05-10"):
        billed.credit_invoice(INVOICE, reason="two", on=D(2025, 5, 9))
    assert stored_log(billed) == before


def test_a_credit_dated_before_the_invoice_is_refused_naming_both_dates(billed: Ledger) -> None:
    """R33: VSAS-000003 of 2025-04-01 credited on 2025-03-31: refused, nothing recorded."""
    before = stored_log(billed)
    with pytest.raises(CreditNoteDateError, match=r"2025-03-31.*2025-04-01"):
        billed.credit_invoice(INVOICE, reason="early", on=D(2025, 3, 31))
    assert stored_log(billed) == before


@pytest.mark.parametrize(
    ("lines", "error", "words"),
    [
        ({2: "900.01"}, CreditExceedsInvoiceError, "900.00 NOK that remains"),
        ({"2": NOK("900.01")}, CreditExceedsInvoiceError, "900.00 NOK that remains"),
        ({2: 1.5}, InvalidCreditLineError, "never a float"),
        ({2: "1,50"}, InvalidValueError, "decimal amount"),
        ([{"line": 3}], CreditLineRefusedError, "lines 1 to 2, not 3"),
        ([{"line": 0}], InvalidCreditLineError, "from 1"),
        ([{"line": 1}, {"line": 1}], CreditLineRefusedError, "named twice"),
        ([{"line": 1, "amount": "0.00"}], CreditLineRefusedError, "positive"),
        ([CreditedLine(1, NOK("1.005"))], CreditLineRefusedError, "whole minor units"),
        ([CreditedLine(1, NOK("-1.00"))], CreditLineRefusedError, "positive"),
        ([], InvalidCreditLineError, "names no line"),
    ],
)
def test_a_credit_beyond_the_invoice_or_of_no_line_is_refused_and_records_nothing(
    billed: Ledger, lines: object, error: type[Exception], words: str
) -> None:
    """R33: never more than remains of a line; only lines the invoice has, once each."""
    before = stored_log(billed)
    with pytest.raises(error, match=words):
        billed.credit_invoice(INVOICE, reason="x", on=D(2025, 4, 2), lines=lines)  # type: ignore[arg-type]
    assert stored_log(billed) == before


def test_nothing_more_is_credited_once_all_is_credited(billed: Ledger) -> None:
    """R17, R33: after the full credit, a second full or partial credit is refused."""
    billed.credit_invoice(INVOICE, reason="all", on=D(2025, 4, 2))
    before = stored_log(billed)
    with pytest.raises(CreditExceedsInvoiceError, match="already credited in full"):
        billed.credit_invoice(INVOICE, reason="again", on=D(2025, 4, 2))
    with pytest.raises(CreditExceedsInvoiceError, match=r"0\.00 NOK that remains"):
        billed.credit_invoice(INVOICE, reason="again", on=D(2025, 4, 2), lines=[{"line": 1}])
    assert stored_log(billed) == before


def test_a_credit_note_is_not_credited(billed: Ledger) -> None:
    """R17: crediting a credit note is refused."""
    note = billed.credit_invoice(INVOICE, reason="all", on=D(2025, 4, 2))
    with pytest.raises(InvoiceNotCreditableError, match="is a credit note"):
        billed.credit_invoice(note, reason="again", on=D(2025, 4, 2))


def test_a_full_credit_is_stored_as_before_with_no_selection(billed: Ledger) -> None:
    """Stored formats: a full credit's event states selection null; a partial one its lines."""
    billed.credit_invoice("VSAS-000001", reason="all", on=D(2025, 4, 2))
    billed.credit_invoice(INVOICE, reason="part", on=D(2025, 4, 2), lines=[{"line": 2}])
    states = [str(s) for _, _, topic, s in stored_log(billed) if "CreditNoteIssued" in str(topic)]
    assert '"selection":null' in states[0]
    assert '"selection":[{"_type_":"severa_ledger.CreditedLine.v1"' in states[1]


def test_partial_credits_re_derive_and_read_models_agree(billed: Ledger) -> None:
    """R33: verify re-derives every partial credit note; a payment of what is open pays it."""
    billed.credit_invoice(INVOICE, reason="a", on=D(2025, 4, 2), lines=[{"line": 2, "amount": "1"}])
    billed.credit_invoice(INVOICE, reason="b", on=D(2025, 4, 3), lines=[{"line": 1}])
    # 1 x 1.00 + 25 % = 1.25; 136.65 + 34.16 = 170.81; 1295.81 - 1.25 - 170.81 = 1123.75
    billed.record_payment(INVOICE, "1123.75", on=D(2025, 4, 4))
    report = billed.verify()
    assert report.ok, report
    assert report.rederivation.findings == ()
    view = billed.invoice(INVOICE, as_of=D(2025, 4, 4))
    assert (view.status, view.paid, view.open_amount) == ("paid", NOK("1123.75"), NOK("0.00"))


def test_every_store_reads_partial_credits_back_the_same(ledger: Ledger) -> None:
    """R33 on memory, SQLite and PostgreSQL: read models and the Account agree on what is owed."""
    two_lines(ledger)
    ledger.credit_invoice(INVOICE, reason="a", on=D(2025, 4, 2), lines={2: "200.00"})
    ledger.credit_invoice(INVOICE, reason="b", on=D(2025, 4, 5), lines={1: None})
    # 1295.81 - 250.00 - 170.81 = 875.00 open; as of 2025-04-03 only the first: 1045.81
    assert ledger.invoice(INVOICE).open_amount == NOK("875.00")
    assert ledger.invoice(INVOICE, as_of=D(2025, 4, 3)).open_amount == NOK("1045.81")
    assert ledger.invoice(INVOICE, as_of=D(2025, 4, 5)).open_amount == NOK("875.00")
    assert ledger.invoice("VSAS-000005", as_of=D(2025, 4, 5)).credited_issue_date == D(2025, 4, 1)
    assert ledger.receivables("C1").balance == NOK("1125.00") + NOK("170.81") + NOK("875.00")
    assert ledger.verify().ok
