"""The ledger's stored English names, in the reader's language: items, license and order kinds.

Events and snapshots keep what was recorded, in English (R18: an issued
document never changes); documents and pages translate at rendering. A line's
item name is translated only when it is exactly the description the ledger
stores for a whole period or an addition
(:func:`~severa_ledger.domain.billing.line_description`); any other text, and
every English document, prints as stored. License kinds without a translation
keep their code.
"""

from __future__ import annotations

import re
from datetime import date

from severa_ledger.documents.formats import Formats
from severa_ledger.documents.labels import LABELS
from severa_ledger.domain.billing import line_description
from severa_ledger.domain.documents import ADDITION, RENEWAL

#: A license kind's name, per language: (bokmål, Finnish); English is the kind's code.
_KIND_NAMES = {
    "user": ("bruker", "käyttäjä"),
    "storage": ("lagring", "tallennustila"),
}
#: The licenses of a kind as an item, per language: (bokmål, Finnish).
_ITEMS = {
    "user": ("brukerlisenser", "käyttäjälisenssit"),
    "storage": ("lagringslisenser", "tallennustilalisenssit"),
}
#: Licenses of a kind with no translation, then "added": (bokmål, Finnish).
_OTHER_ITEMS = ("lisenser ({kind})", "lisenssit ({kind})")
_ADDED = (" lagt til", " lisätty")
#: The kinds of an order confirmation (R13, R14), named by the documents' labels.
_ORDER_KINDS = (RENEWAL, ADDITION)
_TRANSLATED = ("nb", "fi")


def kind_name(kind: str, language: str) -> str:
    """Return a license kind's name: ``user`` is bruker in nb, käyttäjä in fi."""
    if language not in _TRANSLATED or kind not in _KIND_NAMES:
        return kind
    return _KIND_NAMES[kind][_TRANSLATED.index(language)]


def order_kind_name(kind: str, language: str) -> str:
    """Return an order's kind: ``renewal`` is fornyelse in nb, uusiminen in fi."""
    return LABELS[language][kind].lower() if kind in _ORDER_KINDS else kind


def item_name(kind: str, description: str, period: tuple[date, date], language: str) -> str:
    """Return a line's item name in ``language``, from its stored English ``description``.

    ``user licenses added, 2025-06-05 to 2025-07-31`` is "Brukerlisenser lagt
    til, 05.06.2025-31.07.2025" in nb (an en dash between the dates). A
    description the ledger did not write this way is returned as stored.
    """
    if language not in _TRANSLATED:
        return description
    start, end = period
    for added in (False, True):
        if description == line_description(kind, start, end, added=added):
            return _translated_item(kind, period, language, added=added)
    return description


def _translated_item(kind: str, period: tuple[date, date], language: str, *, added: bool) -> str:
    index = _TRANSLATED.index(language)
    licenses = _ITEMS[kind][index] if kind in _ITEMS else _OTHER_ITEMS[index].format(kind=kind)
    what = licenses + (_ADDED[index] if added else "")
    return f"{what[0].upper()}{what[1:]}, {Formats(language).period(*period)}"


def local_address(address: str, country: str, language: str) -> str:
    """Return a one-line address with its country's English name in ``language``.

    ``Villimiehenkatu 10, 53100 Lappeenranta, Finland`` ends in Suomi in fi;
    an address not ending in the English name of ``country`` is returned as written.
    """
    english = Formats("en").country(country)
    street, comma, last = address.rpartition(",")
    if not comma or last.strip() != english:
        return address
    return f"{street}, {Formats(language).country(country)}"


def country_name(code: str, language: str) -> str:
    """Return a country's name in ``language`` (Babel): ``NO`` is Norge in nb, Norja in fi."""
    return Formats(language).country(code)


#: The notes the ledger writes on a document, as stored (English), and in nb and fi.
_NOTES = (
    (
        re.compile(r"Reverse charge"),
        ("Omvendt avgiftsplikt", "Käännetty verovelvollisuus"),
    ),
    (
        re.compile(r"No payment details are configured for (?P<seller>.+) in (?P<cur>[A-Z]{3})\."),
        (
            "Ingen betalingsinformasjon er satt opp for {seller} i {cur}.",
            "Myyjälle {seller} ei ole määritetty maksutietoja valuutalle {cur}.",
        ),
    ),
    (
        re.compile(
            r"Credits invoice (?P<number>\S+) of (?P<day>\d{4}-\d{2}-\d{2}): (?P<reason>.*)"
        ),
        (
            "Krediterer faktura {number} av {day}: {reason}",
            "Hyvittää laskun {number} ({day}): {reason}",
        ),
    ),
    (
        re.compile(r"Credits invoice (?P<number>\S+): (?P<reason>.*)"),
        ("Krediterer faktura {number}: {reason}", "Hyvittää laskun {number}: {reason}"),
    ),
)


def note_text(note: str, language: str) -> str:
    """Return a note the ledger wrote in ``language``; any other note prints as stored.

    The reason of a credit note is the operator's own words and stays as typed.
    """
    if language not in _TRANSLATED:
        return note
    index = _TRANSLATED.index(language)
    for pattern, words in _NOTES:
        found = pattern.fullmatch(note)
        if found:
            parts = dict(found.groupdict())
            if "day" in parts:
                parts["day"] = Formats(language).day(date.fromisoformat(parts["day"]))
            return words[index].format(**parts)
    return note
