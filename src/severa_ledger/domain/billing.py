"""Pure billing functions: lines, issue dates and invoices (R8-R18, R20, R24, R27, R28).

The renewal order of a period and the preview of that period both come from
:func:`period_lines`, so a preview equals the renewal by construction (R28).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

import attrs

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import (
    INVOICE,
    Invoice,
    InvoiceLine,
    OrderConfirmation,
    OrderLine,
    SellerSnapshot,
    VatSubtotal,
)
from severa_ledger.domain.errors import UnknownLicenseKindError
from severa_ledger.domain.exchange import ExchangeRate, stated_vat
from severa_ledger.domain.explanation import Explanation, prorated, whole_period
from severa_ledger.domain.money import Money, round_half_up
from severa_ledger.domain.periods import Period, Schedule
from severa_ledger.domain.proration import (
    ProrationPolicy,
    day_counts,
    full_period_price,
    policy_named,
    prorated_unit_price,
)
from severa_ledger.domain.references import payment_reference
from severa_ledger.domain.sellers import Seller
from severa_ledger.domain.tax import VatTable

PAYMENT_TERMS = timedelta(days=14)
MONDAY = 0


@attrs.frozen
class PriceVersion:
    """A version of the price list: monthly price per kind from a date on (R12)."""

    effective: date
    prices: Mapping[str, Decimal]


def prices_in_force(versions: Sequence[PriceVersion], day: date) -> Mapping[str, Decimal]:
    """Return the price list in force on ``day`` (R12).

    Each version lists the kinds whose price changes from its effective date.
    The list in force folds every version effective by ``day`` in date order
    (not recording order); of two effective the same day, the later recorded wins.
    """
    current: dict[str, Decimal] = {}
    for version in sorted((v for v in versions if v.effective <= day), key=lambda v: v.effective):
        current.update(version.prices)
    return current


def monthly_price(
    versions: Sequence[PriceVersion], period: Period, kind: str, currency: str
) -> Money:
    """Return the monthly price of ``kind`` for a period: the version at its start (R12)."""
    prices = prices_in_force(versions, period.start)
    if kind not in prices:
        known = ", ".join(sorted(prices)) or "none"
        raise UnknownLicenseKindError(
            f"license kind {kind!r} has no price for the period from "
            f"{period.start.isoformat()}; priced kinds: {known} (R12)"
        )
    return Money(prices[kind], currency)


def line_description(kind: str, start: date, end: date, *, added: bool) -> str:
    """Return the English description a line is stored with (documents translate it).

    ``user licenses, 2025-05-01 to 2025-07-31`` for a whole period (R13),
    ``user licenses added, 2025-06-05 to 2025-07-31`` for an addition (R14).
    """
    what = f"{kind} licenses added" if added else f"{kind} licenses"
    return f"{what}, {start.isoformat()} to {end.isoformat()}"


def whole_period_line(
    kind: str, licenses: int, period: Period, months: int, monthly: Money
) -> OrderLine:
    """Return a line billing ``licenses`` for the whole period: licenses x months (R8, R13)."""
    quantity = licenses * months
    return OrderLine(
        kind=kind,
        description=line_description(kind, period.start, period.end, added=False),
        licenses=licenses,
        quantity=quantity,
        unit="month",
        unit_price=monthly.amount,
        amount=(monthly * quantity).amount,
        period_start=period.start,
        period_end=period.end,
        explanation=whole_period(monthly.currency, licenses, months, monthly.amount),
    )


def addition_line(
    kind: str,
    licenses: int,
    period: Period,
    *,
    day: date,
    months: int,
    monthly: Money,
    policy: ProrationPolicy,
) -> OrderLine:
    """Return a line for licenses bought on ``day``: prorated unit price x licenses (R9, R14).

    On the period's first day the unit price is the whole period's (R9: d = s).
    """
    name, days = day_counts(policy, period, day)
    if day == period.start:
        unit_price = full_period_price(monthly, months)
    else:
        unit_price = prorated_unit_price(monthly, months, period, day, policy)
    return OrderLine(
        kind=kind,
        description=line_description(kind, day, period.end, added=True),
        licenses=licenses,
        quantity=licenses,
        unit="license",
        unit_price=unit_price.amount,
        amount=(unit_price * licenses).amount,
        period_start=day,
        period_end=period.end,
        explanation=prorated(
            currency=monthly.currency,
            licenses=licenses,
            months=months,
            monthly_price=monthly.amount,
            policy=name,
            days=days,
            rounded=unit_price.amount,
        ),
    )


def period_lines(
    counts: Mapping[str, int],
    period: Period,
    months: int,
    versions: Sequence[PriceVersion],
    currency: str,
) -> list[OrderLine]:
    """Return the renewal lines of a period for the licenses to bill, one per kind (R13, R28)."""
    return [
        whole_period_line(kind, n, period, months, monthly_price(versions, period, kind, currency))
        for kind, n in sorted(counts.items())
        if n > 0
    ]


def explain_stored_line(
    line: OrderLine | InvoiceLine,
    *,
    schedule: Schedule,
    versions: Sequence[PriceVersion],
    currency: str,
    proration: str,
) -> Explanation | None:
    """Return the explanation of a line stored without one, from the subscription's facts.

    The line's unit says its shape: a license-month is a whole period (R8, R13,
    R20), a license an addition from its first day (R9, R14); the period, the
    price version in force at its start (R12) and the recorded policy (R10) are
    the subscription's. None when its kind has no price for that period.
    """
    period = schedule.containing(line.period_start)
    try:
        monthly = monthly_price(versions, period, line.kind, currency)
    except UnknownLicenseKindError:
        return None
    quantity = abs(line.quantity)
    if line.unit == "month":
        return whole_period(currency, quantity // schedule.months, schedule.months, monthly.amount)
    derived = addition_line(
        line.kind,
        quantity,
        period,
        day=line.period_start,
        months=schedule.months,
        monthly=monthly,
        policy=policy_named(proration),
    )
    return derived.explanation


def issue_date(order_date: date, regime: str, weekday: int = MONDAY) -> date:
    """Return an order's invoice date (R15, R20).

    ``in_advance`` invoices on the order date; ``after_start`` on ``weekday``
    of the ISO week after the order's week (Thu 2025-06-05 -> Mon 2025-06-09).
    """
    if regime == "in_advance":
        return order_date
    next_monday = order_date + timedelta(days=7 - order_date.weekday())
    return next_monday + timedelta(days=weekday)


def cutover_weekend(cohort: date) -> tuple[date, date]:
    """Return the Visma.net cut-over: the last Saturday-Sunday ending before ``cohort`` (R24)."""
    sunday = cohort - timedelta(days=cohort.isoweekday() % 7 or 7)
    return sunday - timedelta(days=1), sunday


def seller_snapshot(seller: Seller) -> SellerSnapshot:
    """Return the seller as it is printed on an invoice (R18)."""
    return SellerSnapshot(
        key=seller.key,
        name=seller.name,
        vat_id=seller.vat_id,
        business_id=seller.business_id,
        country=seller.country,
        address=seller.address,
        enterprise_register=seller.enterprise_register,
    )


def vat_breakdown(
    lines: Sequence[InvoiceLine], notes: Mapping[str, str | None], currency: str
) -> list[VatSubtotal]:
    """Return VAT per category and rate, computed on each category's total (R27)."""
    totals: dict[tuple[str, Decimal], Decimal] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate)
        totals[key] = totals.get(key, Decimal(0)) + line.amount
    return [
        VatSubtotal(
            category=category,
            rate=rate,
            taxable=taxable,
            vat=round_half_up(taxable * rate / 100, currency),
            note=notes.get(category),
        )
        for (category, rate), taxable in sorted(totals.items())
    ]


@attrs.frozen
class InvoiceNumber:
    """A number in a seller's gapless series (R17)."""

    series: str
    sequence: int

    def __str__(self) -> str:
        return f"{self.series}-{self.sequence:06d}"


def build_invoice(
    order: OrderConfirmation,
    *,
    number: InvoiceNumber,
    issued: date,
    seller: Seller,
    buyer: CompanyDetails,
    vat: VatTable,
    rate: ExchangeRate | None = None,
) -> Invoice:
    """Return the invoice billing one order, with the snapshot of its issue date (R15-R18).

    ``rate`` converts the VAT into the VAT country's currency where R32 wants it.
    """
    rule = vat.rule(seller.country, buyer.country, issued)
    lines = [
        InvoiceLine(
            kind=line.kind,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            amount=line.amount,
            period_start=line.period_start,
            period_end=line.period_end,
            vat_category=rule.category,
            vat_rate=rule.rate,
            explanation=line.explanation,
        )
        for line in order.lines
    ]
    breakdown = vat_breakdown(lines, {rule.category: rule.note}, order.currency)
    payment = seller.payment_details(order.currency)
    notes = [s.note for s in breakdown if s.note]
    if payment is None:
        notes.append(f"No payment details are configured for {seller.name} in {order.currency}.")
    net = sum((line.amount for line in lines), Decimal(0))
    tax = sum((s.vat for s in breakdown), Decimal(0))
    return Invoice(
        number=str(number),
        series=number.series,
        sequence=number.sequence,
        type_code=INVOICE,
        customer_number=order.customer_number,
        order_sequence=order.sequence,
        order_date=order.date,
        issue_date=issued,
        due_date=issued + PAYMENT_TERMS,
        seller=seller_snapshot(seller),
        payment_details=payment,
        buyer=buyer,
        currency=order.currency,
        lines=lines,
        vat_breakdown=breakdown,
        net=net,
        vat=tax,
        total=net + tax,
        payment_reference=payment_reference(
            payment, number.sequence, currency=order.currency, seller_country=seller.country
        ),
        notes=notes,
        vat_in_tax_currency=stated_vat(
            seller.country, order.currency, [s.category for s in breakdown], tax, rate
        ),
    )
