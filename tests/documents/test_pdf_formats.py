"""Locale formats (Babel) and labels of the PDFs, checked against hand-written values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger.documents.formats import Formats
from severa_ledger.documents.labels import LABELS

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", f"1{NBSP}234,56"), ("fi", f"1{NBSP}234,56"), ("en", "1,234.56")],
)
def test_amounts_group_thousands_as_the_locale_does(language, expected):
    """nb and fi group with a no-break space and a decimal comma; en with comma and point."""
    assert Formats(language).amount(Decimal("1234.56"), "NOK") == expected


def test_amounts_show_the_currency_minor_unit():
    """An amount shows its currency's two decimals, and zero never carries a minus."""
    nb = Formats("nb")
    assert nb.amount(Decimal(100), "EUR") == "100,00"
    assert nb.amount(Decimal("-0.00"), "NOK") == "0,00"
    assert nb.amount(Decimal("-185.87"), "NOK") == "-185,87"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", f"1{NBSP}125,00{NBSP}NOK"), ("fi", f"94,13{NBSP}EUR"), ("en", f"NOK{NBSP}185.87")],
)
def test_money_puts_the_currency_code_where_the_locale_does(language, expected):
    """nb and fi write the code after the amount, en before it."""
    value = {"nb": Decimal("1125.00"), "fi": Decimal("94.13"), "en": Decimal("185.87")}[language]
    currency = "EUR" if language == "fi" else "NOK"
    assert Formats(language).money(value, currency) == expected


@pytest.mark.parametrize(
    ("language", "day", "period"),
    [
        ("nb", "09.06.2025", "05.06.2025\u201331.07.2025"),
        ("fi", "9.6.2025", "5.6.2025\u201331.7.2025"),
        ("en", "9 Jun 2025", "5 Jun 2025\u201331 Jul 2025"),
    ],
)
def test_each_language_has_one_date_format(language, day, period):
    """Dates: nb dd.MM.yyyy, fi d.M.yyyy, en d MMM yyyy; a period joins two with an en dash."""
    formats = Formats(language)
    assert formats.day(date(2025, 6, 9)) == day
    assert formats.period(date(2025, 6, 5), date(2025, 7, 31)) == period


@pytest.mark.parametrize(
    ("language", "full", "reduced"),
    [
        ("nb", f"25,5{NBSP}%", f"0{NBSP}%"),
        ("fi", f"25,5{NBSP}%", f"0{NBSP}%"),
        ("en", "25.5%", "0%"),
    ],
)
def test_vat_rates_are_percentages_in_the_locale(language, full, reduced):
    """25.5 % and 0 % as each locale writes a percentage."""
    formats = Formats(language)
    assert formats.rate(Decimal("25.5")) == full
    assert formats.rate(Decimal(0)) == reduced


def test_countries_are_named_in_the_language():
    """Norway is Norge, Norway and Norja."""
    assert [Formats(x).country("NO") for x in ("nb", "en", "fi")] == ["Norge", "Norway", "Norja"]


def test_every_label_exists_in_every_language_and_is_not_empty():
    """nb, en and fi have the same labels, none of them blank."""
    keys = {language: set(labels) for language, labels in LABELS.items()}
    assert keys["nb"] == keys["en"] == keys["fi"]
    assert [k for labels in LABELS.values() for k, v in labels.items() if not v.strip()] == []
