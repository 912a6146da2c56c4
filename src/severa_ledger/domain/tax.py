"""VAT by seller and buyer country, with effective dates (R27, R31).

A rule names the buyer's country, or a class of countries: ``EU`` (any other
member state) or ``*`` (any other country). The most specific rule in force
wins: the country itself, then ``EU``, then ``*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from severa_ledger.domain.errors import NoVatRuleError

#: The member states of the European Union (ISO 3166-1 alpha-2), for R31.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
#: Buyer-country classes a rule may name instead of one country.
OTHER_EU = "EU"
ANY_OTHER = "*"
#: The category of an intra-EU reverse charge (EN 16931 AE).
REVERSE_CHARGE = "AE"
#: From this date the default table codes a Norwegian seller's services to a business
#: abroad as zero-rated (Z, merverdiavgiftsloven § 6-22 (2)) instead of O; documents
#: issued before keep their category, so they re-derive as issued (docs/billing.md).
NORWEGIAN_EXPORT_FROM = date(2027, 1, 1)


@attrs.frozen
class VatRule:
    """A VAT rate for sales from one country to another, from a date on (R27)."""

    seller_country: str
    buyer_country: str
    effective: date
    rate: Decimal
    category: str
    note: str | None = None


_EVER = date(1900, 1, 1)

DEFAULT_VAT_RULES: tuple[VatRule, ...] = (
    VatRule("FI", "FI", _EVER, Decimal(24), "S"),
    VatRule("FI", "FI", date(2024, 9, 1), Decimal("25.5"), "S"),
    *(
        VatRule("FI", country, _EVER, Decimal(0), REVERSE_CHARGE, "Reverse charge")
        for country in ("NO", "SE", "DK", OTHER_EU)
    ),
    # A service to a business outside the EU is supplied where the buyer is
    # established (Finnish VAT Act 1501/1993 §§ 64-69 l, the general rule § 65;
    # docs/billing.md): outside the scope of Finnish VAT.
    VatRule("FI", ANY_OTHER, _EVER, Decimal(0), "O", "Outside the scope of Finnish VAT"),
    VatRule("NO", "NO", _EVER, Decimal(25), "S"),
    # Before 2027 (the default of earlier versions): outside the scope of Norwegian VAT.
    VatRule("NO", ANY_OTHER, _EVER, Decimal(0), "O", "Outside the scope of VAT"),
    # Remote services to a business abroad are exempt, zero-rated exports
    # (merverdiavgiftsloven § 6-22 (2)): category Z, with the seller's VAT id.
    VatRule(
        "NO",
        ANY_OTHER,
        NORWEGIAN_EXPORT_FROM,
        Decimal(0),
        "Z",
        "Exempt export of services, merverdiavgiftsloven § 6-22 (2)",
    ),
)


def _specificity(rule: VatRule, buyer_country: str) -> int | None:
    """Return how closely a rule's buyer country matches ``buyer_country``; None: not at all."""
    if rule.buyer_country == buyer_country:
        return 2
    if rule.buyer_country == OTHER_EU and buyer_country in EU_COUNTRIES:
        return 1
    if rule.buyer_country == ANY_OTHER:
        return 0
    return None


def intra_eu(seller_country: str, buyer_country: str) -> bool:
    """Return whether seller and buyer are in two different EU member states (R31)."""
    return (
        seller_country != buyer_country
        and seller_country in EU_COUNTRIES
        and buyer_country in EU_COUNTRIES
    )


@attrs.frozen
class VatTable:
    """The VAT rules in force, looked up by countries and date (R27)."""

    rules: Sequence[VatRule] = DEFAULT_VAT_RULES

    def rule(self, seller_country: str, buyer_country: str, on: date) -> VatRule:
        """Return the rule in force on ``on``; raise NoVatRuleError if none applies."""
        candidates = [
            (rank, r.effective, r)
            for r in self.rules
            if r.seller_country == seller_country
            and r.effective <= on
            and (rank := _specificity(r, buyer_country)) is not None
        ]
        if not candidates:
            raise NoVatRuleError(
                f"no VAT rule for a seller in {seller_country} and a buyer in "
                f"{buyer_country} on {on.isoformat()} (R27)"
            )
        return max(candidates, key=lambda c: (c[0], c[1]))[2]

    def needs_buyer_vat_id(self, seller_country: str, buyer_country: str, on: date) -> bool:
        """Return whether an invoice on ``on`` is an intra-EU reverse charge (R31)."""
        rule = self.rule(seller_country, buyer_country, on)
        return rule.category == REVERSE_CHARGE and intra_eu(seller_country, buyer_country)


DEFAULT_VAT = VatTable()
