"""Read model ``receivables``: every invoice and credit note with what is paid and open (R29).

Four tables (docs/projections.md):

* ``severa_ledger_invoices``: one row per invoice or credit note: number,
  customer, seller, dates, amounts and, as recorded, what is paid, open and
  overpaid, its status and the credit note that credits it;
* ``severa_ledger_documents``: the whole document as issued (R18), written
  once and never changed (R17);
* ``severa_ledger_payments``: one row per payment;
* ``severa_ledger_receivables``: one row per customer account: balance and credit.

Statuses and amounts come from the domain's own
:class:`~severa_ledger.domain.account.Account` rules, applied to an account
holding only the documents and payments concerned (:func:`account_of`).
``overdue`` depends on the day asked about, so stored statuses never say it;
queries with ``as_of`` recompute from the documents and the payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, cast

import attrs

from severa_ledger.domain.account import Account, Payment
from severa_ledger.domain.account import T as ACCOUNT
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import Invoice, InvoiceView, SellerSnapshot
from severa_ledger.projections.rows import (
    Change,
    Key,
    Projection,
    Rows,
    Table,
    id_text,
    replace,
    upsert,
)


@attrs.frozen
class InvoiceRow:
    """An invoice or credit note as issued, with its payment status as recorded."""

    number: str
    customer_number: str
    account_id: str
    account_version: int
    series: str
    sequence: int
    type_code: int
    seller: str
    issue_date: date
    due_date: date
    currency: str
    net: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    open_amount: Decimal
    overpaid: Decimal
    outstanding: Decimal
    status: str
    credited_by: str | None
    credited_invoice: str | None

    def view(self, document: Invoice) -> InvoiceView:
        """Return the document as ``invoice(number)`` shows it without ``as_of``."""
        fields = {f.name: getattr(document, f.name) for f in attrs.fields(Invoice)}
        return InvoiceView(
            **fields,
            status=self.status,
            paid=self.paid,
            open_amount=self.open_amount,
            credited_by=self.credited_by,
        )

    def terms(self) -> Invoice:
        """Return the document as the Account's payment rules read it.

        Number, type, dates, currency and amounts only: paid, open, status and
        balances never read the lines, the parties or the notes.
        """
        return Invoice(
            number=self.number,
            series=self.series,
            sequence=self.sequence,
            type_code=self.type_code,
            customer_number=self.customer_number,
            order_sequence=None,
            order_date=None,
            issue_date=self.issue_date,
            due_date=self.due_date,
            seller=cast("SellerSnapshot", None),
            payment_details=None,
            buyer=cast("CompanyDetails", None),
            currency=self.currency,
            lines=(),
            vat_breakdown=(),
            net=self.net,
            vat=self.vat,
            total=self.total,
            payment_reference=self.number,
            notes=(),
            credited_invoice=self.credited_invoice,
        )


@attrs.frozen
class DocumentRow:
    """An invoice or credit note as issued (R18): never changed (R17)."""

    number: str
    customer_number: str
    document: Invoice


@attrs.frozen
class PaymentRow:
    """A payment received against an invoice (R29)."""

    invoice_number: str
    account_version: int
    customer_number: str
    amount: Decimal
    paid_on: date

    def payment(self) -> Payment:
        """Return the domain's payment value."""
        return Payment(self.invoice_number, self.amount, self.paid_on)


@attrs.frozen
class ReceivableRow:
    """A customer's balance (owed on open invoices) and credit (overpaid), as recorded."""

    account_id: str
    customer_number: str
    documents: int
    balance: Decimal
    credit: Decimal


DOCUMENTS = Table(
    "severa_ledger_documents", DocumentRow, ("number",), indexes=(("customer_number",),)
)
INVOICES = Table(
    "severa_ledger_invoices",
    InvoiceRow,
    ("number",),
    indexes=(("customer_number", "account_version"), ("seller", "issue_date"), ("status",)),
)
PAYMENTS = Table(
    "severa_ledger_payments",
    PaymentRow,
    ("invoice_number", "account_version"),
    indexes=(("customer_number",), ("paid_on",)),
)
RECEIVABLES = Table(
    "severa_ledger_receivables", ReceivableRow, ("account_id",), indexes=(("customer_number",),)
)


def account_of(
    customer_number: str, documents: Iterable[Invoice], payments: Iterable[Payment]
) -> Account:
    """Return an in-memory Account of ``documents`` and ``payments``, to read, never to save."""
    account = object.__new__(Account)
    docs = list(documents)
    account.customer_number = customer_number
    account.invoices = {d.number: d for d in docs}
    account.payments = list(payments)
    account.credited = {d.credited_invoice: d.number for d in docs if d.credited_invoice}
    return account


def _settle(doc: Invoice, paid: Decimal, credit_note: Invoice | None) -> dict[str, Any]:
    """Return what the Account rules say of ``doc`` with ``paid`` received and ``credit_note``."""
    payments = [Payment(doc.number, paid, doc.issue_date)] if paid else []
    account = account_of(
        doc.customer_number, [doc, *([credit_note] if credit_note else [])], payments
    )
    view = account.view(doc.number)
    return {
        "paid": view.paid,
        "open_amount": view.open_amount,
        "status": view.status,
        "credited_by": view.credited_by,
        "overpaid": account.credit_balance(),
        "outstanding": account.balance(),
    }


def _settled(row: InvoiceRow, paid: Decimal, credit_note: InvoiceRow | None) -> InvoiceRow:
    """Return ``row`` with ``paid`` received and ``credit_note`` (if any), by the Account rules."""
    note = credit_note.terms() if credit_note else None
    return replace(row, **_settle(row.terms(), paid, note))


def _customer(rows: Rows, event: Any, customer_number: str) -> ReceivableRow:  # noqa: ANN401
    found = rows.get(RECEIVABLES, (id_text(event.originator_id),))
    if found is None:  # pragma: no cover -- accounts open first
        zero = Decimal(0)
        return ReceivableRow(id_text(event.originator_id), customer_number, 0, zero, zero)
    return found


def _moved(customer: ReceivableRow, old: InvoiceRow | None, new: InvoiceRow, added: int) -> Change:
    """Return the customer's row with one document's share of balance and credit replaced."""
    outstanding, overpaid = (old.outstanding, old.overpaid) if old else (0, 0)
    return upsert(
        RECEIVABLES,
        replace(
            customer,
            documents=customer.documents + added,
            balance=customer.balance - outstanding + new.outstanding,
            credit=customer.credit - overpaid + new.overpaid,
        ),
    )


def _new_row(event: Any, doc: Invoice) -> InvoiceRow:  # noqa: ANN401 -- event
    return InvoiceRow(
        number=doc.number,
        customer_number=doc.customer_number,
        account_id=id_text(event.originator_id),
        account_version=event.originator_version,
        series=doc.series,
        sequence=doc.sequence,
        type_code=doc.type_code,
        seller=doc.seller.key,
        issue_date=doc.issue_date,
        due_date=doc.due_date,
        currency=doc.currency,
        net=doc.net,
        vat=doc.vat,
        total=doc.total,
        credited_invoice=doc.credited_invoice,
        **_settle(doc, Decimal(0), None),
    )


# ------------------------------------------------------------------ handlers


def account_opened(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """Open the customer's row, with nothing owed."""
    del rows
    zero = Decimal(0)
    return [
        upsert(
            RECEIVABLES,
            ReceivableRow(id_text(event.originator_id), event.customer_number, 0, zero, zero),
        )
    ]


def invoice_issued(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R15-R18: an invoice, open until paid."""
    doc: Invoice = event.invoice
    row = _new_row(event, doc)
    customer = _customer(rows, event, row.customer_number)
    return [
        upsert(DOCUMENTS, DocumentRow(doc.number, doc.customer_number, doc)),
        upsert(INVOICES, row),
        _moved(customer, None, row, 1),
    ]


def credit_note_issued(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R17: a credit note; the invoice it credits is owed no more."""
    doc: Invoice = event.credit_note
    note = _new_row(event, doc)
    changes = [
        upsert(DOCUMENTS, DocumentRow(doc.number, doc.customer_number, doc)),
        upsert(INVOICES, note),
    ]
    customer = _customer(rows, event, note.customer_number)
    original = rows.get(INVOICES, (note.credited_invoice,))
    if original is None:  # pragma: no cover -- a credit note credits an issued invoice
        return [*changes, _moved(customer, note, note, 1)]
    credited = _settled(original, original.paid, _credits(original, note))
    return [*changes, upsert(INVOICES, credited), _moved(customer, original, credited, 1)]


def _credits(invoice: InvoiceRow, note: InvoiceRow | None) -> InvoiceRow | None:
    """Return ``note`` (the invoice's latest credit note) standing for all its credit notes (R33).

    What earlier notes took is the invoice's total less what it asks for, which
    is paid + open - overpaid; partial credits add up, a full one takes it all.
    """
    if note is None:
        return None
    earlier = invoice.total - (invoice.paid + invoice.open_amount - invoice.overpaid)
    if invoice.credited_by == note.number:  # a payment: the note is counted already
        return replace(note, total=-earlier)
    return replace(note, total=note.total - earlier)


def payment_recorded(rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- event
    """R29: a payment; overpayment becomes credit."""
    payment: Payment = event.payment
    invoice = rows.get(INVOICES, (payment.invoice_number,))
    if invoice is None:  # pragma: no cover -- payments are recorded against issued invoices
        return []
    note = rows.get(INVOICES, (invoice.credited_by,)) if invoice.credited_by else None
    paid = _settled(invoice, invoice.paid + payment.amount, _credits(invoice, note))
    customer = _customer(rows, event, invoice.customer_number)
    row = PaymentRow(
        payment.invoice_number,
        event.originator_version,
        invoice.customer_number,
        payment.amount,
        payment.paid_on,
    )
    return [upsert(PAYMENTS, row), upsert(INVOICES, paid), _moved(customer, invoice, paid, 0)]


class ReceivablesProjection(Projection):
    """Invoices, payments and balances."""

    def prefetch(self, event: Any) -> Iterable[tuple[Table[Any], Key]]:  # noqa: ANN401 -- event
        """Return the event's account row and the invoice it pays or credits."""
        wanted: list[tuple[Table[Any], Key]] = [(RECEIVABLES, (id_text(event.originator_id),))]
        payment = getattr(event, "payment", None)
        note = getattr(event, "credit_note", None)
        if payment is not None:
            wanted.append((INVOICES, (payment.invoice_number,)))
        elif note is not None and note.credited_invoice:
            wanted.append((INVOICES, (note.credited_invoice,)))
        return wanted

    name = "receivables"
    version = 1
    tables = (INVOICES, DOCUMENTS, PAYMENTS, RECEIVABLES)
    handlers = MappingProxyType(
        {
            f"{ACCOUNT}.AccountOpened.v1": account_opened,
            f"{ACCOUNT}.InvoiceIssued.v1": invoice_issued,
            f"{ACCOUNT}.CreditNoteIssued.v1": credit_note_issued,
            f"{ACCOUNT}.PaymentRecorded.v1": payment_recorded,
        }
    )
