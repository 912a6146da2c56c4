"""The JSON answers of the operator's billing runs and verify (``web/api_operator.py``).

A part of :mod:`severa_ledger.web.api_responses`, kept apart so each stays in its room.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from severa_ledger.web.api_responses import Out
from severa_ledger.web.schemas import Money


class PlannedInvoiceOut(Out):
    """An invoice a billing run would issue."""

    number: str
    customer_number: str
    issue_date: date
    seller: str
    currency: str
    total: Money
    payment_reference: str | None = Field(
        default=None, description="the structured payment reference it would carry (R30)"
    )
    without_payment_details: bool = Field(
        default=False, description="its seller has no account in its currency (R23)"
    )


class BillingOut(Out):
    """What a billing run recorded, or (``dry_run``) would record."""

    through: date
    dry_run: bool
    subscriptions: int
    orders: int
    invoice_numbers: list[str]
    invoices: list[PlannedInvoiceOut] = Field(description="the planned invoices of a dry run")
    without_payment_details: list[str] = Field(
        default_factory=list,
        description="the invoices issued (or, dry run, to be issued) without payment details (R23)",
    )
    held_back: list[HeldBackOut] = Field(
        default_factory=list, description="subscriptions not invoiced yet, and why (R31, R32)"
    )


class HeldBackOut(Out):
    """A subscription whose due invoices billing holds back (R31, R32)."""

    customer_number: str
    order_sequence: int
    issue_date: date
    reason: str


class FindingOut(Out):
    """A document that did not re-derive."""

    customer_number: str
    document: str
    message: str


class DamageOut(Out):
    """A break in the log's shape: restore the store from a backup, never rebuild from it."""

    kind: str = Field(description="version-gap, missing-events or tracking-ahead")
    position: int
    aggregate: str = Field(description="the aggregate's id, or the read model's name")
    message: str


class VerifyOut(Out):
    """The last verify result, by the API or the operator's page: chain, documents, log."""

    ok: bool
    checked_at: datetime
    chain_problem: str | None
    findings: list[FindingOut]
    unknown_events: int
    events: int = Field(description="the stored events the hash chain covered")
    invoices: int = Field(description="the invoices re-derived from their input events")
    damage: list[DamageOut] = Field(description="breaks in the log's shape (docs/auditing.md)")
