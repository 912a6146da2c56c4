"""Money: a Decimal amount with its ISO 4217 currency (R11).

Amounts are never floats. Rounding happens only where a caller asks for it,
with :func:`round_half_up` to the currency's minor unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from functools import cache

import attrs
import iso4217

from severa_ledger.domain.errors import CurrencyMismatchError, InvalidMoneyError

__all__ = [
    "CurrencyMismatchError",
    "InvalidMoneyError",
    "Money",
    "check_currency",
    "in_whole_minor_units",
    "minor_units",
    "round_half_up",
    "to_decimal",
    "total",
]


@cache
def minor_units(currency: str) -> int:
    """Return the number of decimals of the currency's minor unit (ISO 4217)."""
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError:
        raise InvalidMoneyError(f"unknown currency {currency!r} (R11: ISO 4217 codes)") from None
    if exponent is None:
        raise InvalidMoneyError(f"currency {currency!r} has no minor unit (R11)")
    return int(exponent)


def check_currency(currency: str) -> str:
    """Return the currency code if ISO 4217 knows it, else raise InvalidMoneyError."""
    minor_units(currency)
    return currency


def _amount(value: Decimal | int | str) -> Decimal:
    return to_decimal(value)


def to_decimal(value: object, what: str = "amount") -> Decimal:
    """Convert a Decimal, int or decimal string to Decimal; refuse floats (R11)."""
    if isinstance(value, bool | float):
        raise InvalidMoneyError(f"{what} {value!r} is a {type(value).__name__}; use Decimal (R11)")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise InvalidMoneyError(f"{what} {value!r} is not a decimal number (R11)") from None
    else:
        raise InvalidMoneyError(f"{what} {value!r} is not a Decimal (R11)")
    if not result.is_finite():
        raise InvalidMoneyError(f"{what} {value!r} is not finite (R11)")
    return result


def in_whole_minor_units(amount: Decimal, currency: str) -> bool:
    """Return whether ``amount`` is a whole number of the currency's minor units (R11).

    The value is judged, not its digits: "100.500" NOK is 10050 øre, "100.005"
    is not. Exact for any finite Decimal, whatever its size or exponent.
    """
    _, digits, exponent = amount.as_tuple()
    text = "".join(map(str, digits))
    significant = text.rstrip("0")
    if not significant:
        return True  # zero
    return int(exponent) + len(text) - len(significant) >= -minor_units(currency)


def round_half_up(value: Fraction | Decimal, currency: str) -> Decimal:
    """Round an exact value once, half-up, to the currency's minor unit (R9, R11)."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    if isinstance(value, Fraction):
        # Exact: scale to minor units, round the rational half away from zero.
        scaled = value * 10 ** minor_units(currency)
        sign = -1 if scaled < 0 else 1
        units = (abs(scaled.numerator) * 2 + scaled.denominator) // (2 * scaled.denominator)
        return (Decimal(sign * units) * exponent).quantize(exponent)
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def _check_amount(_instance: object, _attribute: object, value: Decimal) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidMoneyError(f"amount {value!r} is not a finite Decimal (R11)")


@attrs.frozen(order=False)
class Money:
    """An exact amount in one currency; arithmetic across currencies raises."""

    amount: Decimal = attrs.field(converter=_amount, validator=_check_amount)
    currency: str = attrs.field(converter=check_currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Return nothing, in the currency."""
        return cls(Decimal(0), currency)

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        """Return money from a Decimal, int or decimal string, rounded to the minor unit."""
        return cls(round_half_up(to_decimal(amount), currency), currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatchError(
                f"cannot combine {self.currency} with {other.currency} (R11)"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, float | bool):
            raise InvalidMoneyError(f"factor {factor!r} must be an int or Decimal (R11)")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def rounded(self) -> Money:
        """Return this amount rounded half-up to the currency's minor unit."""
        return Money(round_half_up(self.amount, self.currency), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def total(amounts: list[Money], currency: str) -> Money:
    """Return the sum of amounts in one currency (zero for none)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
