"""The JSON API's responses: money as decimal strings, dates as ISO dates.

They are built from the ledger's values in :mod:`severa_ledger.web.api_views`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from severa_ledger.web.schemas import Money


class Out(BaseModel):
    """A response body."""


class LicenseCountOut(Out):
    """Licenses of one kind (R3-R6)."""

    licenses: int
    active_users: int
    free: int
    pending_removal: int


class LicensesOut(Out):
    """License counts per kind as of a date."""

    customer_number: str
    as_of: date
    kinds: dict[str, LicenseCountOut]


class ExplanationOut(Out):
    """How a line's amount was computed, from the recorded facts (docs/billing.md).

    ``exact`` is the unrounded unit price as a fraction ``p/q``; rounded half-up to
    the currency's minor unit it is ``rounded``, the line's unit price.
    """

    kind: str = Field(description="prorated, whole_period or credit")
    currency: str
    licenses: int
    months: int
    monthly_price: Money
    rounded: Money
    amount: Money
    policy: str | None = None
    days_left: int | None = None
    days_in_period: int | None = None
    reverses: str | None = None
    credited_invoice: str | None = None
    credited_line: int | None = None
    quantity: int
    exact: str = Field(description="the exact unit price as a fraction p/q")
    exact_shown: str
    sentences: dict[str, str] = Field(description="the sentence in nb, en and fi")


class OrderLineOut(Out):
    """One line of an order confirmation (R13, R14)."""

    kind: str
    description: str
    licenses: int
    quantity: int
    unit: str
    unit_price: Money
    amount: Money
    period_start: date
    period_end: date
    explanation: ExplanationOut | None = None


class OrderOut(Out):
    """An order confirmation and, once billed, its invoice number."""

    customer_number: str
    sequence: int
    date: date
    kind: str
    seller: str
    regime: str
    currency: str
    lines: list[OrderLineOut]
    net: Money
    invoice_number: str | None = None


class InvoiceLineOut(Out):
    """An invoice line with its VAT category and rate (R18, R27)."""

    kind: str
    description: str
    quantity: int
    unit: str
    unit_price: Money
    amount: Money
    period_start: date
    period_end: date
    vat_category: str
    vat_rate: Money
    explanation: ExplanationOut | None = None


class PreviewOut(Out):
    """The next period's cost (R28), as its renewal invoice will show it."""

    customer_number: str
    period_start: date
    period_end: date
    order_date: date
    issue_date: date
    seller: str
    currency: str
    lines: list[InvoiceLineOut]
    net: Money
    vat: Money
    total: Money


class QuoteOut(Out):
    """What buying licenses now would cost (R9, R14); nothing recorded."""

    customer_number: str
    on: date
    currency: str
    net: Money
    lines: list[OrderLineOut]


class InvoiceOut(Out):
    """An invoice or credit note with its status (R15-R18, R29)."""

    number: str
    series: str
    sequence: int
    type_code: int
    customer_number: str
    order_sequence: int | None
    issue_date: date
    due_date: date
    seller: dict[str, str | None]
    buyer: dict[str, str | None]
    payment_details: dict[str, str | int | None] | None = Field(
        description="bank, account, iban, bic, reference_scheme, kid_length (R23, R30)"
    )
    currency: str
    lines: list[InvoiceLineOut]
    net: Money
    vat: Money
    total: Money
    payment_reference: str | None = Field(
        description="the structured reference to pay with (R30: KID, Finnish reference, RF); "
        "null without payment details (R23)"
    )
    notes: list[str]
    status: str
    paid: Money
    open_amount: Money
    credited_by: str | None
    credited_invoice: str | None
    credited_issue_date: date | None = Field(
        None, description="a credit note's: the credited invoice's issue date (R33)"
    )
    reason: str | None


class Page(Out):
    """A page of a list: ``next_cursor`` fetches the next one (None: the last page)."""

    next_cursor: str | None = None


class InvoicesPage(Page):
    """A page of invoices, by number."""

    items: list[InvoiceOut]


class SubscriptionOut(Out):
    """A subscription's terms and the state of its terms acceptance (R25) today."""

    customer_number: str
    legal_name: str
    currency: str
    period_months: int
    anchor: date
    seller: str
    regime: str
    proration: str
    terms_acceptance_required: bool


class SubscriptionsPage(Page):
    """A page of subscriptions, by customer number."""

    items: list[SubscriptionOut]


class UserOut(Out):
    """An active user and the kind of license it uses."""

    user_id: str
    kind: str


class UsersPage(Page):
    """A page of active users, by user id."""

    items: list[UserOut]


class OrdersPage(Page):
    """A page of order confirmations, oldest first."""

    items: list[OrderOut]


class HistoryEntryOut(Out):
    """One recorded fact of the audit trail."""

    type: str
    effective_date: date | None
    recorded_at: datetime
    aggregate: str
    version: int
    data: dict[str, Any]
    backdated: bool = Field(
        default=False, description="takes effect before the day it was recorded (R36)"
    )


class HistoryPage(Page):
    """A page of the audit trail, oldest first."""

    items: list[HistoryEntryOut]


class ReceivablesOut(Out):
    """What a customer owes and holds as credit (R29)."""

    customer_number: str
    balance: Money
    credit: Money
    invoices: list[InvoiceOut]


class TermsOut(Out):
    """Whether the new seller's terms await acceptance (R25)."""

    customer_number: str
    as_of: date
    terms_acceptance_required: bool


class ScheduledChangeOut(Out):
    """A change recorded for a later date that has not taken effect (R36)."""

    id: str = Field(description="pass it to .../scheduled/{id}/cancel")
    kind: str = Field(description="company, removal, prices or migration")
    takes_effect: date
    description: str


class ScheduledChangesOut(Out):
    """A subscription's scheduled changes as of a date (R36)."""

    customer_number: str
    as_of: date
    items: list[ScheduledChangeOut]


class Recorded(Out):
    """A command was recorded (or had been: an idempotent retry)."""

    recorded: bool = True
    order: OrderOut | None = None
    effective: date | None = Field(default=None, description="when a removal takes effect (R4)")
    number: str | None = Field(default=None, description="a credit note's number")
    details: dict[str, Any] | None = None
