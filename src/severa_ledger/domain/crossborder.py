"""Cross-border VAT: what an invoice needs before it may be issued (R31, R32).

An intra-EU reverse-charge invoice needs the buyer's VAT id (R31); Finnish
VAT on an invoice in another currency needs a recorded exchange rate (R32).
A subscription lacking either is refused at opening, company change and
migration when it can be told then (the VAT id), and held back by billing
(both), with the reason :func:`hold_reason` gives, until the fact is recorded.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.exchange import ExchangeRate, rate_pair, tax_currency
from severa_ledger.domain.payment_errors import MissingBuyerVatIdError
from severa_ledger.domain.tax import VatTable


class Rates(Protocol):
    """Where exchange rates are looked up (``ExchangeRates``)."""

    def on(self, base: str, quote: str, day: date) -> ExchangeRate | None:
        """Return the rate for ``day`` or the last one before it."""
        ...


class _NoRates:
    """No exchange rates recorded yet."""

    def on(self, base: str, quote: str, day: date) -> ExchangeRate | None:  # noqa: ARG002
        """Return None: no rate."""
        return None


NO_RATES: Rates = _NoRates()


def check_buyer_vat_id(
    vat: VatTable, seller_country: str, buyer: CompanyDetails, on: date, customer: str
) -> None:
    """Refuse an intra-EU reverse-charge subscription whose buyer has no VAT id (R31)."""
    vat.rule(seller_country, buyer.country, on)  # no rule: NoVatRuleError (R27)
    if buyer.vat_id is None and vat.needs_buyer_vat_id(seller_country, buyer.country, on):
        raise MissingBuyerVatIdError(
            f"customer {customer}: a seller in {seller_country} invoices a business in "
            f"{buyer.country} by reverse charge from {on.isoformat()}, which must state the "
            f"buyer's VAT id; {buyer.legal_name} has none: give vat_id (R31)"
        )


def needed_rate(
    vat: VatTable, seller_country: str, buyer_country: str, currency: str, issued: date
) -> tuple[str, str] | None:
    """Return the (base, quote) rate an invoice issued on ``issued`` needs, or None (R32)."""
    rule = vat.rule(seller_country, buyer_country, issued)
    wanted = tax_currency(seller_country, currency, (rule.category,))
    return None if wanted is None else rate_pair(wanted, currency)


def hold_reason(
    vat: VatTable,
    seller_country: str,
    *,
    buyer: CompanyDetails,
    currency: str,
    issued: date,
    rates: Rates,
) -> str | None:
    """Return why an invoice may not be issued yet, or None: it may (R31, R32)."""
    if buyer.vat_id is None and vat.needs_buyer_vat_id(seller_country, buyer.country, issued):
        return f"no buyer VAT id for the reverse charge to {buyer.country} (R31)"
    pair = needed_rate(vat, seller_country, buyer.country, currency, issued)
    if pair is not None and rates.on(*pair, issued) is None:
        return (
            f"no {pair[0]}/{pair[1]} exchange rate recorded on or before "
            f"{issued.isoformat()} to state the VAT in the seller's currency (R32)"
        )
    return None


def invoice_rate(
    vat: VatTable,
    seller_country: str,
    *,
    buyer_country: str,
    currency: str,
    issued: date,
    rates: Rates,
) -> ExchangeRate | None:
    """Return the rate an invoice issued on ``issued`` states its VAT by, if it needs one (R32)."""
    pair = needed_rate(vat, seller_country, buyer_country, currency, issued)
    return None if pair is None else rates.on(*pair, issued)
