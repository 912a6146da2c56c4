"""The ledger's values as API responses: Decimals become strings, attrs values mappings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from severa_ledger.domain.data import plain
from severa_ledger.domain.documents import InvoiceLine, InvoiceView, OrderConfirmation, OrderLine
from severa_ledger.domain.subscription import Subscription
from severa_ledger.domain.values import LicenseCount
from severa_ledger.reader.views import HistoryEntry, Preview
from severa_ledger.web.api_responses import (
    HistoryEntryOut,
    InvoiceLineOut,
    InvoiceOut,
    LicenseCountOut,
    LicensesOut,
    OrderLineOut,
    OrderOut,
    PreviewOut,
    SubscriptionOut,
)

#: The ledger's values as JSON data, as the CLI's JSON has them (domain/data.py).
jsonable = plain


def order_line(line: OrderLine) -> OrderLineOut:
    """Return an order line as sent."""
    return OrderLineOut.model_validate(jsonable(line))


def order(value: OrderConfirmation, invoice_number: str | None = None) -> OrderOut:
    """Return an order confirmation (and its invoice number, once billed) as sent."""
    number = getattr(value, "invoice_number", invoice_number)
    return OrderOut(
        customer_number=value.customer_number,
        sequence=value.sequence,
        date=value.date,
        kind=value.kind,
        seller=value.seller,
        regime=value.regime,
        currency=value.currency,
        lines=[order_line(line) for line in value.lines],
        net=str(value.net),
        invoice_number=number,
    )


def invoice_line(line: InvoiceLine) -> InvoiceLineOut:
    """Return an invoice line as sent."""
    return InvoiceLineOut.model_validate(jsonable(line))


def invoice(view: InvoiceView) -> InvoiceOut:
    """Return an invoice or credit note with its status as sent."""
    fields = jsonable(view)
    fields["lines"] = [invoice_line(line) for line in view.lines]
    seller = fields["seller"]
    fields["seller"] = {k: None if v is None else str(v) for k, v in seller.items()}
    fields["buyer"] = {k: v for k, v in fields["buyer"].items() if v is None or isinstance(v, str)}
    kept = InvoiceOut.model_fields
    return InvoiceOut.model_validate({k: v for k, v in fields.items() if k in kept})


def licenses(customer: str, as_of: date, counts: Mapping[str, LicenseCount]) -> LicensesOut:
    """Return license counts per kind as sent."""
    kinds = {kind: LicenseCountOut.model_validate(jsonable(c)) for kind, c in counts.items()}
    return LicensesOut(customer_number=customer, as_of=as_of, kinds=kinds)


def preview(value: Preview) -> PreviewOut:
    """Return the upcoming cost (R28) as sent."""
    fields = jsonable(value)
    fields["lines"] = [invoice_line(line) for line in value.lines]
    return PreviewOut.model_validate(fields)


def history_entry(entry: HistoryEntry) -> HistoryEntryOut:
    """Return one fact of the audit trail as sent."""
    return HistoryEntryOut(
        type=entry.type,
        effective_date=entry.effective_date,
        recorded_at=entry.recorded_at,
        aggregate=entry.aggregate,
        version=entry.version,
        data=jsonable(entry.data),
        backdated=entry.backdated,
    )


def subscription(sub: Subscription, terms_required: bool) -> SubscriptionOut:
    """Return a subscription's terms as sent."""
    return SubscriptionOut(
        customer_number=sub.customer_number,
        legal_name=sub.company.legal_name,
        currency=sub.currency,
        period_months=sub.period_months,
        anchor=sub.anchor,
        seller=sub.seller,
        regime=sub.regime,
        proration=str(sub.proration),
        terms_acceptance_required=terms_required,
    )
