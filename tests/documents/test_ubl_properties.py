"""Every document the ledger issues over generated histories is valid EHF and reads back as issued.

Histories come from the testing kit (tests/test_properties.py does the same);
each subscription is then given a currency (NOK or EUR) and, on the legacy
seller, possibly a Finnish, Swedish, Danish, German or US buyer (category O), and
an EUR/NOK rate is recorded or not (R32), so that both sellers, both regimes,
both currencies, the VAT categories S, AE and O, the VAT in EUR,
renewals, additions, migrations and credit notes (in full and partial, R33) all occur.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import attrs
from hypothesis import event, given, settings
from hypothesis import strategies as st

from severa_ledger import Ledger
from severa_ledger.documents.ubl import order_reference
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice
from severa_ledger.domain.tax import intra_eu
from severa_ledger.testing import Command, History
from severa_ledger.testing.strategies import company_details, histories
from tests.documents.conftest import document_xml
from tests.documents.validation import (
    buyer_vat_id,
    read_document,
    validate,
    vat_in_tax_currency,
)

UNIT_CODES = {"month": "MON", "license": "C62"}


@attrs.frozen
class Case:
    """A history with its subscriptions' currencies and buyers, and the invoices to credit."""

    history: History
    credit: tuple[int, ...]


def _reopened(command: Command, currency: str, company: object) -> Command:
    kwargs = {**command.kwargs, "currency": currency, "company": company}
    return attrs.evolve(command, kwargs=kwargs)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """Kit histories of 1-3 subscriptions, varied in currency and buyer country, and credits."""
    history = draw(histories(customers=st.integers(1, 3), max_commands=10))
    opened: dict[str, tuple[str, object]] = {}
    for plan in history.plans:
        company: object = plan.company
        if plan.regime == "in_advance" and draw(st.booleans()):
            abroad = st.sampled_from(["FI", "SE", "DK", "DE", "US"])
            company = draw(company_details(country=abroad))
        opened[plan.customer] = (draw(st.sampled_from(["NOK", "EUR"])), company)
    commands = [
        _reopened(c, *opened[c.args[0]]) if c.name == "open_subscription" else c
        for c in history.commands
    ]
    credit = draw(st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True))
    # An EUR/NOK rate (R32), or none: then NOK invoices with Finnish VAT are held back.
    rate = draw(st.sampled_from([None, "11.4532", "11.7125"]))
    return Case(attrs.evolve(history, commands=commands, eur_nok=rate), tuple(credit))


def _credit(ledger: Ledger, case: Case) -> None:
    """Credit the chosen invoices: in full, or (odd indexes) a third of line 1 (R33)."""
    invoices = ledger.invoices()
    for index in case.credit:
        if index < len(invoices):
            reason = "generated correction"
            first = invoices[index].lines[0].amount if invoices[index].lines else Decimal(0)
            part = (first / 3).quantize(Decimal("0.01"))
            lines = {1: str(part)} if index % 2 and part > 0 else None
            if lines:
                event("partial credit note")
            ledger.credit_invoice(
                invoices[index].number, reason=reason, on=case.history.through, lines=lines
            )


def _check_reads_back(ledger: Ledger, invoice: Invoice, xml: bytes) -> None:
    doc = read_document(xml)
    sign = -1 if invoice.type_code == CREDIT_NOTE else 1
    assert (doc.number, doc.type_code, doc.currency) == (
        invoice.number,
        str(invoice.type_code),
        invoice.currency,
    )
    assert (doc.issue_date, doc.due_date) == (invoice.issue_date, invoice.due_date)
    assert (doc.net, doc.vat, doc.total, doc.payable) == (
        sign * invoice.net,
        sign * invoice.vat,
        sign * invoice.total,
        sign * invoice.total,
    )
    assert doc.breakdown == tuple(
        (s.category, None if s.category == "O" else s.rate, sign * s.taxable, sign * s.vat)
        for s in invoice.vat_breakdown
    )
    assert [(x.quantity, x.unit_code, x.price, x.amount, x.start, x.end, x.category)
            for x in doc.lines] == [
        (sign * x.quantity, UNIT_CODES[x.unit], x.unit_price, sign * x.amount,
         x.period_start, x.period_end, x.vat_category)
        for x in invoice.lines
    ]  # fmt: skip
    assert doc.order_reference == order_reference(invoice)
    assert (doc.payment_id, doc.iban) == (
        invoice.payment_reference,
        invoice.payment_details.iban if invoice.payment_details else None,
    )
    if invoice.credited_invoice:
        credited: date = ledger.invoice(invoice.credited_invoice).issue_date
        assert doc.credited == (invoice.credited_invoice, credited)
    _check_cross_border(invoice, xml)


def _check_cross_border(invoice: Invoice, xml: bytes) -> None:
    """R31: the buyer's VAT id on every intra-EU AE document; R32: the VAT converted by the rate."""
    categories = {line.vat_category for line in invoice.lines}
    if "AE" in categories and intra_eu(invoice.seller.country, invoice.buyer.country):
        assert invoice.buyer.vat_id
        assert buyer_vat_id(xml) == invoice.buyer.vat_id
    other_currency = {"FI": "EUR", "NO": "NOK"}[invoice.seller.country]
    needs_it = "S" in categories and invoice.currency in {"EUR", "NOK"} - {other_currency}
    stated = invoice.vat_in_tax_currency
    assert (stated is not None) == needs_it
    if stated is not None:
        sign = -1 if invoice.type_code == CREDIT_NOTE else 1
        # Finnish VAT in NOK: NOK / (NOK per EUR); Norwegian VAT in EUR: EUR x (NOK per EUR)
        into_eur = stated.currency == "EUR"
        exact = invoice.vat / stated.rate if into_eur else invoice.vat * stated.rate
        assert stated.vat == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert vat_in_tax_currency(xml) == (stated.currency, sign * stated.vat)


def _note_coverage(invoice: Invoice) -> None:
    event(f"seller {invoice.seller.key}")
    event(f"currency {invoice.currency}")
    event("credit note" if invoice.type_code == CREDIT_NOTE else "invoice")
    for subtotal in invoice.vat_breakdown:
        event(f"VAT category {subtotal.category}")
    if invoice.vat_in_tax_currency is not None:
        event("VAT also in EUR")
    for line in invoice.lines:
        event(f"unit {line.unit}")


@settings(max_examples=max(10, settings().max_examples // 2))
@given(case=cases())
def test_every_issued_document_validates_and_reads_back_as_issued(case: Case) -> None:
    """0 errors and 0 warnings for every document; its XML gives its totals, lines and dates."""
    with Ledger.open("memory://") as ledger:
        case.history.apply(ledger)
        _credit(ledger, case)
        sellers: dict[str, set[str]] = {}
        for invoice in ledger.invoices():
            sellers.setdefault(invoice.customer_number, set()).add(invoice.seller.key)
            xml = document_xml(ledger, invoice)
            findings = validate(xml)
            assert findings == [], (invoice.number, [str(f) for f in findings])
            _check_reads_back(ledger, invoice, xml)
            _note_coverage(invoice)
        if any(len(keys) > 1 for keys in sellers.values()):
            event("a subscription billed by both sellers (migration)")
