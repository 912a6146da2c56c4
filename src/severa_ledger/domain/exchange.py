"""Exchange rates and the VAT stated in the VAT country's currency (R32).

A rate says that 1 EUR (the base, as the ECB quotes) buys ``rate`` units of
``quote`` (NOK) on a date. Finnish VAT on an invoice in NOK is also stated in
EUR: the VAT in NOK divided by the rate recorded for the issue date or the last
one before it, exactly, rounded once half-up to cents; Norwegian VAT on an
invoice in EUR is stated in NOK, the VAT times the rate. The rate, its date and
its source are kept on the invoice (:class:`VatInTaxCurrency`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

import attrs
from eventsourcing.domain import Aggregate, event

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import InvalidMoneyError
from severa_ledger.domain.money import check_currency, round_half_up, to_decimal
from severa_ledger.domain.payment_errors import InvalidExchangeRateError

T = "severa_ledger:ExchangeRates"
#: Every rate is quoted from EUR, as the ECB's reference rates are: 1 EUR = rate quote.
BASE = "EUR"
#: The currency VAT is accounted in, by the seller's country (R32).
VAT_CURRENCIES = {"FI": "EUR", "NO": "NOK"}
#: The categories in which the seller charges VAT, so its amount is due in the seller's state.
CHARGED = frozenset({"S"})
#: A rate's largest value and its most decimals (ECB reference rates have at most 4).
LARGEST_RATE = Decimal(1_000_000)
RATE_DECIMALS = 10


@attrs.frozen
class ExchangeRate:
    """1 ``base`` = ``rate`` ``quote`` on ``day``, as ``source`` published it (R32)."""

    base: str
    quote: str
    rate: Decimal
    day: date
    source: str


@attrs.frozen
class VatInTaxCurrency:
    """An invoice's VAT also in the VAT country's currency (R32; EN 16931 BT-6, BT-111)."""

    currency: str
    vat: Decimal
    rate: Decimal
    rate_date: date
    source: str


def checked_rate(base: str, quote: str, rate: object, day: date, source: str) -> ExchangeRate:
    """Return the rate if its currencies are ISO 4217 and two, and it is positive (R32)."""
    try:
        pair = (check_currency(base), check_currency(quote))
        value = to_decimal(rate, "rate")
    except InvalidMoneyError as error:
        raise InvalidExchangeRateError(f"{error} (R32)") from None
    if pair[0] != BASE or pair[1] == BASE:
        raise InvalidExchangeRateError(
            f"a rate is quoted from {BASE} to another currency, got {base}/{quote} (R32)"
        )
    if not 0 < value <= LARGEST_RATE or value.as_tuple().exponent < -RATE_DECIMALS:  # type: ignore[operator]
        raise InvalidExchangeRateError(
            f"rate {rate} {quote} per {base} must be above 0, at most {LARGEST_RATE}, "
            f"with at most {RATE_DECIMALS} decimals (R32)"
        )
    return ExchangeRate(base, quote, value, day, inputs.text(source, "source", 100))


def tax_currency(seller_country: str, currency: str, categories: Iterable[str]) -> str | None:
    """Return the currency the VAT must also be stated in, or None (R32).

    When the seller charges VAT (category S) and its state accounts VAT in
    another currency than the invoice's.
    """
    wanted = VAT_CURRENCIES.get(seller_country)
    if wanted is None or wanted == currency or not CHARGED.intersection(categories):
        return None
    return wanted


def rate_pair(wanted: str, currency: str) -> tuple[str, str] | None:
    """Return the EUR rate that converts ``currency`` into ``wanted``; None: no EUR side (R32).

    A rate between two currencies other than EUR (a cross rate) is not kept.
    """
    if wanted == BASE:
        return (BASE, currency)
    if currency == BASE:
        return (BASE, wanted)
    return None


def vat_in(vat: Decimal, rate: ExchangeRate, wanted: str) -> VatInTaxCurrency:
    """Return ``vat`` in ``wanted``: divided by the rate into EUR, times it out of EUR, half-up."""
    if wanted == rate.base:
        exact = Fraction(vat) / Fraction(rate.rate)
    else:
        exact = Fraction(vat) * Fraction(rate.rate)
    converted = round_half_up(exact, wanted)
    return VatInTaxCurrency(wanted, converted, rate.rate, rate.day, rate.source)


def stated_vat(
    seller_country: str,
    currency: str,
    categories: Sequence[str],
    vat: Decimal,
    rate: ExchangeRate | None,
) -> VatInTaxCurrency | None:
    """Return the VAT in the seller state's currency when R32 wants it and ``rate`` fits."""
    wanted = tax_currency(seller_country, currency, categories)
    pair = None if wanted is None else rate_pair(wanted, currency)
    if wanted is None or rate is None or pair != (rate.base, rate.quote):
        return None
    return vat_in(vat, rate, wanted)


def reversed_vat(stated: VatInTaxCurrency | None) -> VatInTaxCurrency | None:
    """Return the stated VAT with its sign turned (a credit note's, R17, R32)."""
    return None if stated is None else attrs.evolve(stated, vat=-stated.vat)


class _Stated(Protocol):
    @property
    def currency(self) -> str: ...

    @property
    def vat_in_tax_currency(self) -> VatInTaxCurrency | None: ...


def stated_rate(invoice: _Stated) -> ExchangeRate | None:
    """Return the rate an issued invoice states its VAT by (R32): re-derivation uses it."""
    stated = invoice.vat_in_tax_currency
    if stated is None:
        return None
    quote = invoice.currency if stated.currency == BASE else stated.currency
    return ExchangeRate(BASE, quote, stated.rate, stated.rate_date, stated.source)


def rates_id() -> UUID:
    """Return the id of the ledger's one book of exchange rates."""
    return uuid5(NAMESPACE_URL, "severa-ledger/exchange-rates")


class ExchangeRates(Aggregate):
    """The exchange rates recorded, by currency pair and date (R32)."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id() -> UUID:
        """Return the one book's id."""
        return rates_id()

    @event("RatesOpened", topic=f"{T}.RatesOpened.v1")
    def __init__(self) -> None:
        self.rates: dict[tuple[str, str], dict[date, ExchangeRate]] = {}

    def record(self, rate: ExchangeRate) -> None:
        """Record a rate; a later one for the same pair and day replaces it for new invoices."""
        self._rate_recorded(
            base=rate.base,
            quote=rate.quote,
            rate=rate.rate,
            rate_date=rate.day,
            source=rate.source,
            effective_date=rate.day,
        )

    @event("ExchangeRateRecorded", topic=f"{T}.ExchangeRateRecorded.v1")
    def _rate_recorded(
        self,
        *,
        base: str,
        quote: str,
        rate: Decimal,
        rate_date: date,
        source: str,
        effective_date: date,
    ) -> None:
        del effective_date
        found = ExchangeRate(base, quote, rate, rate_date, source)
        self.rates.setdefault((base, quote), {})[rate_date] = found

    def on(self, base: str, quote: str, day: date) -> ExchangeRate | None:
        """Return the rate for ``day`` or the last one before it; None if there is none (R32)."""
        by_day = self.rates.get((base, quote), {})
        earlier = [d for d in by_day if d <= day]
        return by_day[max(earlier)] if earlier else None
