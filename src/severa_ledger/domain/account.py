"""The customer's Account: invoices and credit notes issued, payments received (R15-R18, R29).

Orders are invoiced in their sequence, so the account keeps a cursor of the
last order invoiced. Issued documents are never changed; a correction is a
credit note (type 381) in the same series (R17).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate, event

from severa_ledger.domain.billing import InvoiceNumber, vat_breakdown
from severa_ledger.domain.documents import CREDIT_NOTE, INVOICE, Invoice, InvoiceView
from severa_ledger.domain.errors import (
    CurrencyMismatchError,
    InvalidPaymentError,
    InvoiceNotCreditableError,
    PaymentOutOfRangeError,
    SubMinorUnitPaymentError,
)
from severa_ledger.domain.exchange import reversed_vat
from severa_ledger.domain.explanation import credit
from severa_ledger.domain.limits import MAX_PAYMENT_MINOR, in_major_units
from severa_ledger.domain.money import (
    Money,
    in_whole_minor_units,
    minor_units,
    round_half_up,
    to_decimal,
)

T = "severa_ledger:Account"


def account_id(customer_number: str) -> UUID:
    """Return the deterministic id of a customer's account."""
    return uuid5(NAMESPACE_URL, f"severa-ledger/account/{customer_number}")


@attrs.frozen
class Payment:
    """A payment received against an invoice (R29)."""

    invoice_number: str
    amount: Decimal
    paid_on: date


def check_payment_amount(value: Decimal, currency: str, number: str, customer: str) -> None:
    """Refuse a payment above the limit or not in whole minor units (R11, R29)."""
    largest = in_major_units(MAX_PAYMENT_MINOR, currency)
    if value > largest:
        raise PaymentOutOfRangeError(
            f"customer {customer}: payment of {value} {currency} on {number} is above the "
            f"limit of {largest} {currency} per payment (R29; docs/billing.md Limits)"
        )
    if not in_whole_minor_units(value, currency):
        raise SubMinorUnitPaymentError(
            f"customer {customer}: payment of {value} {currency} on {number} is not a whole "
            f"number of minor units ({currency} has {minor_units(currency)} decimals) (R11, R29)"
        )


def credit_note_for(original: Invoice, number: InvoiceNumber, on: date, reason: str) -> Invoice:
    """Return a credit note reversing every line of ``original`` (R17, type 381)."""
    lines = [
        attrs.evolve(
            line,
            quantity=-line.quantity,
            amount=-line.amount,
            explanation=credit(line.explanation, original.number, n),
        )
        for n, line in enumerate(original.lines, start=1)
    ]
    notes = {s.category: s.note for s in original.vat_breakdown}
    breakdown = vat_breakdown(lines, notes, original.currency)
    net = sum((line.amount for line in lines), Decimal(0))
    vat = sum((s.vat for s in breakdown), Decimal(0))
    return attrs.evolve(
        original,
        number=str(number),
        series=number.series,
        sequence=number.sequence,
        type_code=CREDIT_NOTE,
        issue_date=on,
        due_date=on,
        lines=lines,
        vat_breakdown=breakdown,
        net=net,
        vat=vat,
        total=net + vat,
        payment_reference=str(number),
        notes=(f"Credits invoice {original.number}: {reason}",),
        credited_invoice=original.number,
        reason=reason,
        vat_in_tax_currency=reversed_vat(original.vat_in_tax_currency),
    )


class Account(Aggregate):
    """A customer's receivables: issued invoices, credit notes and payments."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id(customer_number: str) -> UUID:
        """Return the id for ``customer_number``."""
        return account_id(customer_number)

    @event("AccountOpened", topic=f"{T}.AccountOpened.v1")
    def __init__(self, customer_number: str) -> None:
        self.customer_number = customer_number
        self.invoices: dict[str, Invoice] = {}
        self.by_order: dict[str, str] = {}
        self.invoiced_orders = 0
        self.payments: list[Payment] = []
        self.credited: dict[str, str] = {}

    def issue(self, invoice: Invoice) -> None:
        """Record an invoice for the next order in sequence (R15)."""
        self._invoice_issued(invoice=invoice, effective_date=invoice.issue_date)

    def credit(self, number: str, credit_number: InvoiceNumber, on: date, reason: str) -> Invoice:
        """Issue a credit note for invoice ``number`` (R17)."""
        original = self.invoices[number]
        if original.type_code != INVOICE or number in self.credited:
            raise InvoiceNotCreditableError(
                f"invoice {number} of {self.customer_number} is a credit note or is already "
                f"credited by {self.credited.get(number)} (R17)"
            )
        if on < original.issue_date:
            raise InvoiceNotCreditableError(
                f"credit note for {number} dated {on.isoformat()}, before the invoice's issue "
                f"date {original.issue_date.isoformat()}"
            )
        note = credit_note_for(original, credit_number, on, reason)
        self._credit_note_issued(credit_note=note, effective_date=on)
        return note

    def pay(self, number: str, amount: object, on: date) -> Payment:
        """Record a payment against invoice ``number`` (R29)."""
        invoice = self.invoices[number]
        if isinstance(amount, Money):
            if amount.currency != invoice.currency:
                raise CurrencyMismatchError(
                    f"payment of {amount} on invoice {number}, which is in {invoice.currency} (R11)"
                )
            amount = amount.amount
        value = to_decimal(amount, f"payment amount on {number}")
        if value <= 0 or invoice.type_code != INVOICE:
            raise InvalidPaymentError(
                f"payment of {value} {invoice.currency} on {number}: only positive payments "
                f"of invoices are recorded (R29)"
            )
        check_payment_amount(value, invoice.currency, number, self.customer_number)
        if on < invoice.issue_date:
            raise InvalidPaymentError(
                f"payment of {value} on {number} dated {on.isoformat()}: payments follow the "
                f"issue date {invoice.issue_date.isoformat()} (R29)"
            )
        payment = Payment(number, value, on)
        self._payment_recorded(payment=payment, effective_date=on)
        return payment

    # ----------------------------------------------------------------- reading

    def paid(self, number: str, as_of: date | None = None) -> Decimal:
        """Return the amount paid on invoice ``number`` (by ``as_of``)."""
        return sum(
            (
                p.amount
                for p in self.payments
                if p.invoice_number == number and (as_of is None or p.paid_on <= as_of)
            ),
            Decimal(0),
        )

    def owed(self, number: str, as_of: date | None = None) -> Decimal:
        """Return what invoice ``number`` asks for, zero once credited (by ``as_of``)."""
        credit_note = self.credited.get(number)
        if credit_note and (as_of is None or self.invoices[credit_note].issue_date <= as_of):
            return Decimal(0)
        return self.invoices[number].total

    def view(self, number: str, as_of: date | None = None) -> InvoiceView:
        """Return invoice ``number`` with its status as of a date (R29)."""
        invoice = self.invoices[number]
        fields = {f.name: getattr(invoice, f.name) for f in attrs.fields(Invoice)}
        if invoice.type_code == CREDIT_NOTE:
            return InvoiceView(**fields, status="credit_note")
        paid = round_half_up(self.paid(number, as_of), invoice.currency)
        owed = self.owed(number, as_of)
        open_amount = round_half_up(max(owed - paid, Decimal(0)), invoice.currency)
        if owed == 0 and invoice.total != 0:
            status = "credited"
        elif open_amount == 0:
            status = "paid"
        elif as_of is not None and as_of > invoice.due_date:
            status = "overdue"
        else:
            status = "open"
        return InvoiceView(
            **fields,
            status=status,
            paid=paid,
            open_amount=open_amount,
            credited_by=self.credited.get(number),
        )

    def credit_balance(self, as_of: date | None = None) -> Decimal:
        """Return overpayments kept as customer credit (R29)."""
        return sum(
            (
                max(self.paid(n, as_of) - self.owed(n, as_of), Decimal(0))
                for n, inv in self.invoices.items()
                if inv.type_code == INVOICE
            ),
            Decimal(0),
        )

    def balance(self, as_of: date | None = None) -> Decimal:
        """Return what the customer owes on open invoices, before credit (R29)."""
        return sum(
            (
                max(self.owed(n, as_of) - self.paid(n, as_of), Decimal(0))
                for n, inv in self.invoices.items()
                if inv.type_code == INVOICE and (as_of is None or inv.issue_date <= as_of)
            ),
            Decimal(0),
        )

    # ------------------------------------------------------------------ events

    @event("InvoiceIssued", topic=f"{T}.InvoiceIssued.v1")
    def _invoice_issued(self, invoice: Invoice, effective_date: date) -> None:
        self.invoices[invoice.number] = invoice
        if invoice.order_sequence is not None:
            self.by_order[str(invoice.order_sequence)] = invoice.number
            self.invoiced_orders = max(self.invoiced_orders, invoice.order_sequence)

    @event("CreditNoteIssued", topic=f"{T}.CreditNoteIssued.v1")
    def _credit_note_issued(self, credit_note: Invoice, effective_date: date) -> None:
        self.invoices[credit_note.number] = credit_note
        if credit_note.credited_invoice is not None:
            self.credited[credit_note.credited_invoice] = credit_note.number

    @event("PaymentRecorded", topic=f"{T}.PaymentRecorded.v1")
    def _payment_recorded(self, payment: Payment, effective_date: date) -> None:
        self.payments.append(payment)
