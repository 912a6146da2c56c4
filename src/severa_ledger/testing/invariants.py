"""Checks users can call from their own tests: R5, R19, preview = renewal, replay equality."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger
    from severa_ledger.reader.views import Preview
    from severa_ledger.testing.reference import ReferenceModel


def billed_by_period(
    ledger: Ledger, customer: str, model: ReferenceModel
) -> dict[tuple[date, str], Decimal]:
    """Return what the ledger's orders bill per (period start, kind)."""
    billed: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    for order in ledger.orders(customer):
        for line in order.lines:
            billed[model.period_of(line.period_start)[0], line.kind] += line.amount
    return billed


def check_billed_once(ledger: Ledger, customer: str, model: ReferenceModel, through: date) -> None:
    """R19: per period starting by ``through`` and kind, billing equals the model's."""
    billed = billed_by_period(ledger, customer, model)
    kinds = {kind for _, prices in model.prices for kind in prices}
    wrong = []
    k = 0
    while (start := model.start(k)) <= through:
        for kind in sorted(kinds):
            want = model.expected(kind, start)
            got = billed.get((start, kind), Decimal(0))
            if got != want:
                wrong.append(f"{customer} {start} {kind}: billed {got}, license-days say {want}")
        k += 1
    if wrong:
        raise AssertionError("R19: " + "; ".join(wrong))


def check_active_within_licenses(ledger: Ledger, customer: str) -> None:
    """R5: no kind has more active users than licenses."""
    for kind, counts in ledger.license_counts(customer).items():
        if counts.active_users > counts.licenses:
            msg = f"R5: {customer} {kind}: {counts.active_users} users, {counts.licenses} licenses"
            raise AssertionError(msg)


def check_preview_is_renewal(ledger: Ledger, preview: Preview) -> None:
    """R28: the renewal invoice of the previewed period has the preview's lines and totals."""
    renewals = [
        o
        for o in ledger.orders(preview.customer_number)
        if o.kind == "renewal" and o.date == preview.order_date
    ]
    if not preview.lines:
        if renewals:
            raise AssertionError(f"R28: preview of {preview.customer_number} was empty")
        return
    if len(renewals) != 1 or renewals[0].invoice_number is None:
        raise AssertionError(f"R28: no renewal invoice for the preview {preview!r}")
    invoice = ledger.invoice(renewals[0].invoice_number)
    got = (invoice.lines, invoice.issue_date, invoice.net, invoice.vat, invoice.total)
    want = (preview.lines, preview.issue_date, preview.net, preview.vat, preview.total)
    if got != want:
        raise AssertionError(f"R28: renewal {got} differs from preview {want}")


def check_replay_equal(ledger: Ledger, reopened: Ledger, customers: list[str]) -> None:
    """Replay equality: another ledger on the same store folds the same state."""
    for customer in customers:
        if reopened.subscription(customer) != ledger.subscription(customer):
            raise AssertionError(f"replay: subscription {customer} differs after reopening")
        if reopened.account(customer) != ledger.account(customer):
            raise AssertionError(f"replay: account {customer} differs after reopening")
