"""Money is a Decimal with its ISO 4217 currency, never a float (R11)."""

from __future__ import annotations

import operator
from decimal import Decimal
from fractions import Fraction

import pytest

from severa_ledger import CurrencyMismatchError, InvalidMoneyError, Money
from severa_ledger.domain.money import minor_units, round_half_up


@pytest.mark.parametrize(
    "make",
    [
        lambda: Money(1.5, "NOK"),
        lambda: Money.of(0.1, "NOK"),
        lambda: Money(Decimal(1), "NOK") * 1.5,
        lambda: Money(True, "NOK"),  # a bool is not an amount either
    ],
    ids=["Money(1.5)", "Money.of(0.1)", "times 1.5", "Money(True)"],
)
def test_floats_are_refused(make):
    """R11: an amount or factor that is a float (or a bool) is refused."""
    with pytest.raises(InvalidMoneyError):
        make()


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("12.34", "NOK", Decimal("12.34")),
        ("0", "SEK", Decimal(0)),
        (5, "DKK", Decimal(5)),
        (-7, "EUR", Decimal(-7)),
        (Decimal("1.005"), "NOK", Decimal("1.005")),  # Money itself does not round
    ],
)
def test_strings_ints_and_decimals_are_accepted(amount, currency, expected):
    """R11: decimal strings, ints and Decimals become an exact Decimal amount."""
    money = Money(amount, currency)
    assert (money.amount, money.currency) == (expected, currency)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "NOK", Decimal("1.01")),  # half-up at the half cent
        ("2.345", "EUR", Decimal("2.35")),
        ("2.344", "EUR", Decimal("2.34")),
        ("-2.345", "SEK", Decimal("-2.35")),  # half away from zero
        (3, "DKK", Decimal("3.00")),
        ("100.5", "JPY", Decimal(101)),  # JPY has no decimals
    ],
)
def test_money_of_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    """R11: Money.of rounds once, half-up, to the currency's minor unit."""
    money = Money.of(amount, currency)
    assert money.amount == expected
    assert money.amount.as_tuple().exponent == -minor_units(currency)


@pytest.mark.parametrize("currency", ["XXY", "nok", "", "KRONER"])
def test_unknown_currency_is_refused(currency):
    """R11: only ISO 4217 currency codes are accepted."""
    with pytest.raises(InvalidMoneyError):
        Money("1.00", currency)


@pytest.mark.parametrize(
    ("currency", "units"),
    [("NOK", 2), ("SEK", 2), ("DKK", 2), ("EUR", 2), ("JPY", 0)],
)
def test_minor_units_come_from_iso_4217(currency, units):
    """R11: NOK, SEK, DKK and EUR have 2 decimals; JPY has none."""
    assert minor_units(currency) == units


@pytest.mark.parametrize(
    "combine",
    [operator.add, operator.sub, operator.lt, operator.le, operator.gt, operator.ge],
)
def test_mixing_currencies_is_refused(combine):
    """R11: adding, subtracting or comparing NOK with EUR raises."""
    with pytest.raises(CurrencyMismatchError, match="NOK"):
        combine(Money("1.00", "NOK"), Money("1.00", "EUR"))


@pytest.mark.parametrize(
    ("combine", "expected"),
    [
        (operator.add, Money("3.30", "NOK")),  # 1.10 + 2.20
        (operator.sub, Money("-1.10", "NOK")),  # 1.10 - 2.20
        (operator.lt, True),
        (operator.ge, False),
    ],
)
def test_same_currency_arithmetic_is_exact(combine, expected):
    """R11: amounts of one currency add, subtract and compare exactly."""
    assert combine(Money("1.10", "NOK"), Money("2.20", "NOK")) == expected


@pytest.mark.parametrize(
    ("value", "currency", "expected"),
    [
        (Decimal("2.345"), "NOK", Decimal("2.35")),
        (Decimal("-2.345"), "NOK", Decimal("-2.35")),
        (Decimal("2.3449"), "NOK", Decimal("2.34")),
        (Decimal("0.005"), "EUR", Decimal("0.01")),
        (Fraction(1, 3), "NOK", Decimal("0.33")),  # 0.333..
        (Fraction(2, 3), "NOK", Decimal("0.67")),  # 0.666..
        (Fraction(-2, 3), "NOK", Decimal("-0.67")),
        (Fraction(1, 200), "NOK", Decimal("0.01")),  # exactly 0.005
        (Fraction(-1, 200), "NOK", Decimal("-0.01")),  # exactly -0.005
        (Fraction(1, 201), "NOK", Decimal("0.00")),  # 0.004975..
        (Fraction(17100, 92), "NOK", Decimal("185.87")),  # 185.8695..
        (Fraction(5, 2), "JPY", Decimal(3)),  # 2.5 -> 3
    ],
)
def test_round_half_up_rounds_decimals_and_fractions(value, currency, expected):
    """R9, R11: the one rounding rule is half-up (away from zero) to the minor unit."""
    rounded = round_half_up(value, currency)
    assert rounded == expected
    assert rounded.as_tuple().exponent == -minor_units(currency)


@pytest.mark.parametrize(
    "amount",
    ["NaN", "Infinity", "-Infinity", "sNaN", Decimal("NaN"), Decimal("Infinity"), "12,50", "abc"],
)
def test_amounts_that_are_not_finite_numbers_are_refused(amount):
    """R11: NaN, infinities and non-numbers are not amounts."""
    with pytest.raises(InvalidMoneyError):
        Money(amount, "NOK")
    with pytest.raises(InvalidMoneyError):
        Money.of(amount, "NOK")
