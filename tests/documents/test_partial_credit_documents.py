"""Partial credit notes as documents: EHF that validates, citing the invoice and its date (R33).

VSAS-000003 of 2025-04-01 has two lines (tests/test_credit_notes.py): admin
136.65 and user 900.00, 25 % VAT.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import Ledger
from tests.documents.pdf_support import text
from tests.documents.validation import assert_valid, read_document
from tests.test_credit_notes import INVOICE, two_lines

D = date


@pytest.fixture(scope="module")
def credited() -> Ledger:
    """VSAS-000003 credited in three notes: 200.00 of line 2, 0.87 of line 1, then the rest."""
    ledger = Ledger.open("memory://")
    two_lines(ledger)
    ledger.credit_invoice(
        INVOICE, reason="two seats", on=D(2025, 4, 2), lines=[{"line": 2, "amount": "200.00"}]
    )
    ledger.credit_invoice(
        INVOICE, reason="rounding", on=D(2025, 4, 2), lines=[{"line": 1, "amount": "0.87"}]
    )
    ledger.credit_invoice(INVOICE, reason="the rest", on=D(2025, 4, 3))
    return ledger


@pytest.mark.parametrize("number", ["VSAS-000004", "VSAS-000005", "VSAS-000006"])
def test_every_partial_credit_note_validates_and_cites_the_invoice_and_its_date(
    credited: Ledger, number: str
) -> None:
    """R33, BR-55: a CreditNote 381 whose BillingReference is VSAS-000003 of 2025-04-01."""
    xml = credited.invoice_xml(number)
    assert_valid(xml)
    doc = read_document(xml)
    assert (doc.root, doc.type_code) == ("CreditNote", "381")
    assert doc.credited == (INVOICE, D(2025, 4, 1))


def test_the_partial_credit_note_states_the_part_by_hand(credited: Ledger) -> None:
    """R33: 2 license-months at 100.00 = 200.00, VAT 50.00, 250.00 (positive in the EHF)."""
    doc = read_document(credited.invoice_xml("VSAS-000004"))
    [line] = doc.lines
    assert (line.quantity, line.price, line.amount) == (2, Decimal("100.00"), Decimal("200.00"))
    assert (doc.net, doc.vat, doc.total) == (Decimal("200.00"), Decimal("50.00"), Decimal("250.00"))


def test_the_last_credit_note_takes_what_remains(credited: Ledger) -> None:
    """R27, R33: 136.65 - 0.87 + 700.00 = 835.78 net; 259.16 - 50.00 - 0.22 = 208.94 VAT."""
    doc = read_document(credited.invoice_xml("VSAS-000006"))
    assert [(x.quantity, x.amount) for x in doc.lines] == [
        (1, Decimal("135.78")),
        (7, Decimal("700.00")),
    ]
    assert (doc.net, doc.vat, doc.total) == (
        Decimal("835.78"),
        Decimal("208.94"),
        Decimal("1044.72"),
    )


def test_the_pdf_names_the_credited_invoice_with_its_date(credited: Ledger) -> None:
    """R33: the credit note's PDF says it credits VSAS-000003 of 01.04.2025 (bokmål)."""
    assert "VSAS-000003 (01.04.2025)" in text(credited.invoice_pdf("VSAS-000004"))
