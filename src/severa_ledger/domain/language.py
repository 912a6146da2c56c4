"""The languages documents are written in, and the default for a buyer's country."""

from __future__ import annotations

from severa_ledger.domain.errors import UnknownLanguageError

#: Norwegian bokmål, English, Finnish.
LANGUAGES = ("nb", "en", "fi")

_BY_COUNTRY = {"NO": "nb", "FI": "fi"}


def language_for(country: str | None, language: str | None = None) -> str:
    """Return ``language`` if given and known, else the default for a buyer in ``country``.

    Norwegian buyers read bokmål, Finnish buyers Finnish, everybody else English.
    """
    if language is None:
        return _BY_COUNTRY.get((country or "").upper(), "en")
    if language not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise UnknownLanguageError(f"unknown document language {language!r}; known: {known}")
    return language
