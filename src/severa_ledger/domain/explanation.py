"""Every amount explains itself: the arithmetic behind an order or invoice line (R8-R10, R17).

An :class:`Explanation` holds the recorded facts a line's amount comes from
(the policy, the days left and the days in the period in that policy's count,
the months, the monthly price, the licenses) and the rounded unit price and
amount the line states. Its :attr:`~Explanation.exact` value is the exact
rational the one rounding (R9) starts from, so a program can check a line:
``round_half_up(exact) == unit_price`` and ``unit_price x quantity == amount``.

Three shapes, each named by ``kind``:

* ``prorated`` (R9, R10, R14): ``57/92 x 3 months x 100.00 = 185.8695... -> 185.87``;
  the exact value is per license, the line's quantity is the licenses.
* ``whole_period`` (R8, R13, and the in_advance regime's second line, R20):
  ``3 licenses x 3 months x 100.00 = 900.00``; the unit is a license-month,
  so the exact value is the monthly price and the quantity licenses x months.
* ``credit`` (R17): the credited line's facts, its shape in ``reverses``, and
  where it was (``credited_invoice``, ``credited_line``); quantity and amount negated.
  A credit of part of a line (R33) reverses ``part``: ``2 x 100.00 = 200.00``, the
  units credited (``licenses``, one month each) at the unit price credited.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import attrs

from severa_ledger.domain.language import language_for
from severa_ledger.domain.money import minor_units, round_half_up

PRORATED = "prorated"
WHOLE_PERIOD = "whole_period"
CREDIT = "credit"
#: What a partial credit reverses: part of a line's amount (R33).
PART = "part"
#: Decimals shown of an exact value that does not terminate, before "...".
SHOWN_DECIMALS = 4

#: Words of the sentences, per language: (singular, plural) where counted.
_WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "month": ("month", "months"),
        "license": ("license", "licenses"),
        "actual_days": ("actual days", ""),
        "thirty_360": ("30E/360 days", ""),
        "half_up": ("half-up", ""),
    },
    "nb": {
        "month": ("måned", "måneder"),
        "license": ("lisens", "lisenser"),
        "actual_days": ("faktiske dager", ""),
        "thirty_360": ("dagtelling 30E/360", ""),
        "half_up": ("avrundet halvt opp", ""),
    },
    "fi": {
        "month": ("kuukausi", "kuukautta"),
        "license": ("lisenssi", "lisenssiä"),
        "actual_days": ("todelliset päivät", ""),
        "thirty_360": ("päivälaskenta 30E/360", ""),
        "half_up": ("pyöristetty puolikkaat ylöspäin", ""),
    },
}


#: Thousands separator and decimal mark of each language (CLDR: nb_NO, fi_FI, en_GB).
_SEPARATORS = {"nb": ("\u00a0", ","), "fi": ("\u00a0", ","), "en": (",", ".")}


def _credits_part(language: str, number: str, line: int) -> str:
    if language == "nb":
        return f"krediterer en del av linje {line} på {number}"
    if language == "fi":
        return f"hyvittää osan laskun {number} rivistä {line}"
    return f"credits part of line {line} of {number}"


def _credits(language: str, number: str, line: int) -> str:
    if language == "nb":
        return f"krediterer linje {line} på {number}"
    if language == "fi":
        return f"hyvittää laskun {number} rivin {line}"
    return f"credits line {line} of {number}"


@attrs.frozen
class Explanation:
    """The arithmetic behind one line's amount, from the recorded facts only (R8-R10, R17).

    ``rounded`` is the line's unit price, ``amount`` its amount; ``exact`` (a
    :class:`~fractions.Fraction`) is the unrounded unit price they come from.
    ``policy``, ``days_left`` and ``days_in_period`` are set for prorated lines
    (and for credits of them); ``reverses``, ``credited_invoice`` and
    ``credited_line`` for credits only.
    """

    kind: str
    currency: str
    licenses: int
    months: int
    monthly_price: Decimal
    rounded: Decimal
    amount: Decimal
    policy: str | None = None
    days_left: int | None = None
    days_in_period: int | None = None
    reverses: str | None = None
    credited_invoice: str | None = None
    credited_line: int | None = None

    @property
    def shape(self) -> str:
        """Return the arithmetic's shape: ``prorated`` or ``whole_period`` (a credit's reversed)."""
        return (self.reverses or WHOLE_PERIOD) if self.kind == CREDIT else self.kind

    @property
    def exact(self) -> Fraction:
        """Return the exact unit price: ``monthly x months x days_left / days_in_period`` (R9).

        For a whole-period line (unit: a license-month) it is the monthly price (R8).
        """
        monthly = Fraction(self.monthly_price)
        if self.shape != PRORATED:
            return monthly
        return monthly * self.months * Fraction(self.days_left or 0, self.days_in_period or 1)

    @property
    def exact_shown(self) -> str:
        """Return the exact unit price as the sentence shows it (see :func:`exact_text`)."""
        return exact_text(self.exact, minor_units(self.currency))

    @property
    def quantity(self) -> int:
        """Return the line's quantity: licenses, or licenses x months; negated for a credit."""
        count = self.licenses if self.shape == PRORATED else self.licenses * self.months
        return -count if self.kind == CREDIT else count

    def problems(self, unit_price: Decimal, quantity: int, amount: Decimal) -> list[str]:
        """Return how this explanation fails to recompute a line's figures (none: it does)."""
        found = []
        if self.shape == PRORATED and not 0 < (self.days_left or 0) <= (self.days_in_period or 0):
            found.append(f"days left {self.days_left} of {self.days_in_period} is no proration")
        recomputed = round_half_up(self.exact, self.currency)
        if recomputed != self.rounded:
            found.append(f"exact {self.exact_shown} rounds to {recomputed}, not {self.rounded}")
        if (self.rounded, self.quantity) != (unit_price, quantity):
            found.append(
                f"explains {self.quantity} x {self.rounded}, the line has {quantity} x {unit_price}"
            )
        if self.rounded * self.quantity != self.amount or self.amount != amount:
            found.append(f"explains amount {self.amount}, the line has {amount}")
        return found

    def sentence(self, language: str = "en") -> str:
        """Return the arithmetic as a sentence in ``language`` (``nb``, ``en`` or ``fi``)."""
        lang = language_for(None, language)
        if self.shape == PART:
            price, total = _num(self.rounded, lang), _num(self.rounded * self.licenses, lang)
            where = _credits_part(lang, self.credited_invoice or "", self.credited_line or 0)
            return f"{where}: {self.licenses} x {price} = {total}"
        text = self._prorated(lang) if self.shape == PRORATED else self._whole(lang)
        if self.kind == CREDIT and self.credited_invoice:
            return f"{_credits(lang, self.credited_invoice, self.credited_line or 0)}: {text}"
        return text

    def _prorated(self, lang: str) -> str:
        words = _WORDS[lang]
        rounded = self.rounded
        text = (
            f"{self.days_left}/{self.days_in_period} x {_count(self.months, words['month'], lang)} "
            f"x {_num(self.monthly_price, lang)} = {_num(self.exact_shown, lang)} "
            f"-> {_num(rounded, lang)} "
            f"({words.get(self.policy or '', (self.policy or '', ''))[0]}, "
            f"{words['half_up'][0]})"
        )
        if self.licenses > 1:
            total = rounded * self.licenses
            text += (
                f"; {_count(self.licenses, words['license'], lang)} x {_num(rounded, lang)} "
                f"= {_num(total, lang)}"
            )
        return text

    def _whole(self, lang: str) -> str:
        words = _WORDS[lang]
        total = self.monthly_price * self.licenses * self.months
        return (
            f"{_count(self.licenses, words['license'], lang)} x "
            f"{_count(self.months, words['month'], lang)} x {_num(self.monthly_price, lang)} "
            f"= {_num(total, lang)}"
        )

    def as_data(self) -> dict[str, object]:
        """Return the structured form as JSON data: amounts as strings, ``exact`` as ``p/q``."""
        data: dict[str, object] = {}
        for field in attrs.fields(Explanation):
            value = getattr(self, field.name)
            data[field.name] = str(value) if isinstance(value, Decimal) else value
        data["quantity"] = self.quantity
        data["exact"] = str(self.exact)
        data["exact_shown"] = self.exact_shown
        data["sentences"] = {lang: self.sentence(lang) for lang in _WORDS}
        return data


def _count(n: int, forms: tuple[str, str], lang: str) -> str:
    return f"{_num(n, lang)} {forms[0] if n == 1 else forms[1]}"


def _num(value: Decimal | int | str, lang: str) -> str:
    """Return a number as the language's documents write amounts: ``2 760,15``, ``2,760.15``.

    The first point is the decimal point and "..." may follow the decimals; the
    whole part is grouped by threes like the documents' tables (Babel's nb_NO,
    fi_FI and en_GB formats, written out here since the domain needs no Babel).
    """
    text = str(value)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, point, decimals = text.partition(".")
    group, mark = _SEPARATORS[lang]
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{mark if point else ''}{decimals}"


def exact_text(exact: Fraction, decimals: int = 2) -> str:
    """Return an exact value as shown: terminating exactly, else four decimals then "...".

    Shown with at least ``decimals`` decimals (the currency's minor unit):
    4275/23 is ``185.8695...``, 300 is ``300.00``, 1487/8 is ``185.875``.
    """
    sign = "-" if exact < 0 else ""
    value = abs(exact)
    den = value.denominator
    for factor in (2, 5):
        while den % factor == 0:
            den //= factor
    if den == 1:  # terminates: show it exactly
        with localcontext() as ctx:
            ctx.prec = 60
            exact_decimal = Decimal(value.numerator) / Decimal(value.denominator)
        places = max(decimals, -int(exact_decimal.normalize().as_tuple().exponent))
        return f"{sign}{exact_decimal:.{places}f}"
    scaled = value.numerator * 10**SHOWN_DECIMALS // value.denominator
    whole, part = divmod(scaled, 10**SHOWN_DECIMALS)
    return f"{sign}{whole}.{part:0{SHOWN_DECIMALS}d}..."


def prorated(
    *,
    currency: str,
    licenses: int,
    months: int,
    monthly_price: Decimal,
    policy: str,
    days: tuple[int, int],
    rounded: Decimal,
) -> Explanation:
    """Return the explanation of a prorated line: ``days[0]/days[1]`` of a period (R9, R10)."""
    return Explanation(
        kind=PRORATED,
        currency=currency,
        licenses=licenses,
        months=months,
        monthly_price=monthly_price,
        rounded=rounded,
        amount=rounded * licenses,
        policy=policy,
        days_left=days[0],
        days_in_period=days[1],
    )


def whole_period(currency: str, licenses: int, months: int, monthly_price: Decimal) -> Explanation:
    """Return the explanation of a whole-period line: licenses x months x monthly price (R8)."""
    return Explanation(
        kind=WHOLE_PERIOD,
        currency=currency,
        licenses=licenses,
        months=months,
        monthly_price=monthly_price,
        rounded=monthly_price,
        amount=monthly_price * licenses * months,
    )


def credit(original: Explanation | None, invoice: str, line: int) -> Explanation | None:
    """Return the explanation of a credit note's line reversing ``line`` of ``invoice`` (R17)."""
    if original is None:
        return None
    return attrs.evolve(
        original,
        kind=CREDIT,
        reverses=original.shape,
        amount=-original.amount,
        credited_invoice=invoice,
        credited_line=line,
    )


def part_credit(currency: str, invoice: str, line: int, units: int, price: Decimal) -> Explanation:
    """Return the explanation of a credit of part of ``line`` of ``invoice`` (R33)."""
    return Explanation(
        kind=CREDIT,
        currency=currency,
        licenses=units,
        months=1,
        monthly_price=price,
        rounded=price,
        amount=-(price * units),
        reverses=PART,
        credited_invoice=invoice,
        credited_line=line,
    )
