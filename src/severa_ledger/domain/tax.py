"""VAT by seller and buyer country, with effective dates (R27)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import attrs

from severa_ledger.domain.errors import NoVatRuleError


@attrs.frozen
class VatRule:
    """A VAT rate for sales from one country to another, from a date on (R27)."""

    seller_country: str
    buyer_country: str
    effective: date
    rate: Decimal
    category: str
    note: str | None = None


DEFAULT_VAT_RULES: tuple[VatRule, ...] = (
    VatRule("FI", "FI", date(1900, 1, 1), Decimal(24), "S"),
    VatRule("FI", "FI", date(2024, 9, 1), Decimal("25.5"), "S"),
    *(
        VatRule("FI", country, date(1900, 1, 1), Decimal(0), "AE", "Reverse charge")
        for country in ("NO", "SE", "DK")
    ),
    VatRule("NO", "NO", date(1900, 1, 1), Decimal(25), "S"),
    # (default, not in the sources) a Norwegian seller's services to a foreign
    # business are outside the scope of Norwegian VAT.
    *(
        VatRule("NO", country, date(1900, 1, 1), Decimal(0), "O", "Outside the scope of VAT")
        for country in ("FI", "SE", "DK")
    ),
)


@attrs.frozen
class VatTable:
    """The VAT rules in force, looked up by countries and date (R27)."""

    rules: Sequence[VatRule] = DEFAULT_VAT_RULES

    def rule(self, seller_country: str, buyer_country: str, on: date) -> VatRule:
        """Return the rule in force on ``on``; raise NoVatRuleError if none applies."""
        candidates = [
            r
            for r in self.rules
            if (r.seller_country, r.buyer_country) == (seller_country, buyer_country)
            and r.effective <= on
        ]
        if not candidates:
            raise NoVatRuleError(
                f"no VAT rule for a seller in {seller_country} and a buyer in "
                f"{buyer_country} on {on.isoformat()} (R27)"
            )
        return max(candidates, key=lambda r: r.effective)


DEFAULT_VAT = VatTable()
