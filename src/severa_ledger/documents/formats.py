"""Numbers, money, rates and dates as a reader of nb, en or fi expects them, with Babel.

One date format per language (a fixed CLDR pattern, so documents do not
change with Babel's defaults): nb ``dd.MM.y`` (09.06.2025), fi ``d.M.y``
(9.6.2025), en ``d MMM y`` (9 Jun 2025). Numbers group and separate decimals
by the locale ("1 234,56" in nb and fi with a no-break space, "1,234.56" in
en) and show every amount with its currency's minor unit digits.
"""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal

import attrs
from babel import Locale
from babel.dates import format_date
from babel.numbers import (
    NumberPattern,
    format_decimal,
    format_percent,
    get_currency_precision,
    parse_pattern,
)

#: The Babel locale of each document language.
LOCALES = {"nb": "nb_NO", "en": "en_GB", "fi": "fi_FI"}
#: The date pattern of each document language (CLDR syntax).
DATE_PATTERNS = {"nb": "dd.MM.y", "en": "d MMM y", "fi": "d.M.y"}
#: Between the two dates of a period.
PERIOD_DASH = "\u2013"
_NO_BREAK_SPACE = "\u00a0"


@functools.cache
def babel_locale(name: str) -> Locale:
    """Return Babel's locale ``name``, parsed once per process (a document formats dozens)."""
    return Locale.parse(name)


@functools.cache
def amount_pattern(digits: int) -> NumberPattern:
    """Return the grouped number pattern with ``digits`` decimals, parsed once per process."""
    return parse_pattern("#,##0" + ("." + "0" * digits if digits else ""))


@attrs.frozen
class Formats:
    """The formats of one document language (``nb``, ``en`` or ``fi``)."""

    language: str

    @property
    def locale(self) -> str:
        """Return the Babel locale of the language."""
        return LOCALES[self.language]

    @property
    def babel(self) -> Locale:
        """Return the language's Babel locale object (parsed once per process)."""
        return babel_locale(LOCALES[self.language])

    def day(self, day: date) -> str:
        """Return a date in the language's one date format."""
        return str(format_date(day, DATE_PATTERNS[self.language], locale=self.babel))

    def period(self, start: date, end: date) -> str:
        """Return a period, both ends included, its dates joined by an en dash."""
        return f"{self.day(start)}{PERIOD_DASH}{self.day(end)}"

    def number(self, value: int | Decimal) -> str:
        """Return a whole or decimal number, grouped by the locale."""
        return str(format_decimal(value, locale=self.babel, decimal_quantization=False))

    def amount(self, value: Decimal, currency: str) -> str:
        """Return an amount with its currency's minor unit digits, without the currency."""
        value = abs(value) if value.is_zero() else value  # never "-0,00"
        pattern = amount_pattern(get_currency_precision(currency))
        return str(format_decimal(value, format=pattern, locale=self.babel))

    def money(self, value: Decimal, currency: str) -> str:
        """Return an amount with its ISO currency code where the locale puts the currency.

        nb and fi write ``185,87 NOK``; en writes ``NOK 185.87`` (CLDR's
        currency spacing: a no-break space between a letter code and a digit).
        """
        pattern = self.babel.currency_formats["standard"].pattern
        code_first = pattern.lstrip("-").startswith("¤")
        figure = self.amount(value, currency)
        if code_first:
            return f"{currency}{_NO_BREAK_SPACE}{figure}"
        return f"{figure}{_NO_BREAK_SPACE}{currency}"

    def rate(self, percent: Decimal) -> str:
        """Return a VAT rate given in percent: ``25,5 %`` in nb and fi, ``25.5%`` in en."""
        return str(format_percent(percent / 100, locale=self.babel, decimal_quantization=False))

    def country(self, code: str) -> str:
        """Return a country's name in the language: ``NO`` is Norge, Norway, Norja."""
        name = self.babel.territories.get(code)
        return str(name) if name else code
