"""Bounds on every number that enters the ledger (docs/billing.md, "Limits").

No billing business comes near these limits; every store and read model can
hold anything within them. The tightest container is a 64-bit signed integer
(read-model counts and quantities: SQLite ``INTEGER``, PostgreSQL ``BIGINT``),
which holds at most ``2**63 - 1`` (about 9.22e18). Amounts are ``Decimal``
(28 significant digits by default; ``NUMERIC`` and decimal ``TEXT`` in the
read models), so the bounds below keep every amount within that integer range
too, counted in minor units.

The worst invoice, in minor units of any currency:

* a line bills at most ``MAX_LICENSES`` licenses x 12 months (the longest
  period) x ``MAX_MONTHLY_PRICE_MINOR`` = 1e6 x 12 x 1e9 = 1.2e16;
* a renewal has one line per kind in force, at most ``MAX_LICENSE_KINDS``
  = 100 lines: a net of at most 1.2e18 (an addition bills one kind, in at
  most two lines: 2.4e16; a credit note mirrors one invoice);
* VAT is at most the net as long as no rate exceeds 100 % (the default
  table's highest is 25.5 %), so the total is at most 2.4e18 plus a minor
  unit of rounding per VAT category: below ``LARGEST_STORED_INTEGER``
  (9.22e18), and with 19 digits well inside a Decimal's 28.

Quantities billed are at most 1.2e7 (licenses x months), users of a kind at
most its licenses, and one payment at most ``MAX_PAYMENT_MINOR`` (1e12).
"""

from __future__ import annotations

from decimal import Decimal

from severa_ledger.domain.money import minor_units
from severa_ledger.domain.periods import PERIOD_LENGTHS

__all__ = [
    "LARGEST_STORED_INTEGER",
    "MAX_LICENSES",
    "MAX_LICENSE_KINDS",
    "MAX_MONTHLY_PRICE_MINOR",
    "MAX_PAYMENT_MINOR",
    "WORST_INVOICE_TOTAL_MINOR",
    "in_major_units",
]

#: The largest value of a 64-bit signed integer column (SQLite INTEGER, PostgreSQL BIGINT).
LARGEST_STORED_INTEGER = 2**63 - 1
#: Licenses of one kind a subscription may hold, and may buy or remove in one command.
MAX_LICENSES = 1_000_000
#: License kinds one subscription may ever price (over all its price versions).
MAX_LICENSE_KINDS = 100
#: Monthly price per license, in minor units: 10,000,000.00 NOK, EUR, SEK or DKK.
MAX_MONTHLY_PRICE_MINOR = 10**9
#: One payment, in minor units: 10,000,000,000.00 NOK, EUR, SEK or DKK.
MAX_PAYMENT_MINOR = 10**12
#: The largest invoice total the limits allow, VAT at up to 100 % (module docstring).
WORST_INVOICE_TOTAL_MINOR = (
    2 * MAX_LICENSE_KINDS * MAX_LICENSES * max(PERIOD_LENGTHS) * MAX_MONTHLY_PRICE_MINOR
)


def in_major_units(limit: int, currency: str) -> Decimal:
    """Return a limit in minor units as an amount of ``currency`` (1e9 NOK -> 10000000.00)."""
    return Decimal(limit).scaleb(-minor_units(currency))
