"""The rules every value that enters the ledger follows, whichever edge it enters by.

The command file, the CLI, the JSON API, the page forms and the Python API all
check their values here (through the command catalogue,
:mod:`severa_ledger.ledger.catalogue`), so a value refused on one edge is
refused on every edge with the same error. A log that cannot be edited makes a
bad value permanent: these rules keep out what a later step (UBL XML, a PDF, a
CSV, a terminal) could not hold.

* **Text** is NFC-normalised; it is never blank, never starts or ends with
  whitespace, and holds no control character, bidirectional control, line or
  paragraph separator, byte-order mark or non-character (``REFUSED``) and no lone
  surrogate (``SURROGATES``); each field has a length limit in code points.
* **Dates** are written ``YYYY-MM-DD`` and lie from ``FIRST_DATE`` to
  ``LAST_DATE`` (R36).
* **Whole numbers** are JSON integers or ASCII digits, within their bounds.
* **Amounts** are canonical decimal strings (or JSON integers): ASCII digits,
  no sign, no exponent, no whitespace, no leading zeros, at most two decimals.

Each rule is also stated as a JSON-schema fragment (``*_schema``) from the same
constants, for the API's OpenAPI document and the docs.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

from severa_ledger.domain.errors import (
    DateOutOfWindowError,
    InvalidAmountError,
    InvalidDateError,
    InvalidNumberError,
    InvalidTextError,
)

#: The business dates any command may carry (R36).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)

#: Code points no text may hold: C0 and C1 controls, surrogates, the bidirectional
#: controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI), line and paragraph separators,
#: the byte-order mark and the two non-characters XML refuses.
REFUSED: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),
    (0x007F, 0x009F),
    (0x061C, 0x061C),
    (0x200E, 0x200F),
    (0x2028, 0x202E),
    (0x2066, 0x2069),
    (0xFEFF, 0xFEFF),
    (0xFFFE, 0xFFFF),
)
#: The whitespace a text may hold inside but not at either end (with the refused
#: controls, exactly the characters for which ``str.isspace`` is true).
EDGE_SPACE: tuple[tuple[int, int], ...] = (
    (0x0020, 0x0020),
    (0x00A0, 0x00A0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)


def _class(*ranges: tuple[int, int]) -> str:
    return "".join(
        f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}" for low, high in ranges
    )


#: Lone surrogates are refused too; they stay out of the patterns, which JSON-schema
#: engines built on UTF-8 (Rust's regex, behind schemathesis) cannot compile with them.
SURROGATES = (0xD800, 0xDFFF)
_INNER = f"[^{_class(*REFUSED)}]"
_OUTER = f"[^{_class(*REFUSED, *EDGE_SPACE)}]"
#: A valid text, as a regular expression (Python ``re`` and JSON schema alike).
#: ``$`` would also match before a final newline in Python (not in JSON schema's ECMA
#: dialect): the patterns end with ``END``, nothing after, alike in both.
END = r"(?![\s\S])"
TEXT_PATTERN = f"^{_OUTER}(?:{_INNER}*{_OUTER})?{END}"
_TEXT = re.compile(TEXT_PATTERN)
_SURROGATE = re.compile(f"[{_class(SURROGATES)}]")
#: A date as written: exactly ``YYYY-MM-DD`` in 2000-2099 (the month and day checked too).
DATE_PATTERN = r"^20[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])" + END
_WRITTEN_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"-?[0-9]+")
#: Longest whole number written (every bound a command has has fewer digits).
MAX_DIGITS = 24


def text(value: object, what: str, max_length: int) -> str:
    """Return ``value`` NFC-normalised if it is a valid text (module docstring), else raise."""
    if not isinstance(value, str):
        raise InvalidTextError(f"{what} must be text, got {_shown(value)}")
    if len(value) > max_length:
        raise InvalidTextError(f"{what} has {len(value)} characters, more than {max_length}")
    if not _TEXT.fullmatch(value) or _SURROGATE.search(value):
        raise InvalidTextError(f"{what} {_shown(value)} {_fault(value)}")
    normal = unicodedata.normalize("NFC", value)
    if len(normal) > max_length:
        raise InvalidTextError(f"{what} has {len(normal)} characters, more than {max_length}")
    return normal


def _fault(value: str) -> str:
    """Say what makes a text invalid (it did not match ``TEXT_PATTERN``)."""
    if not value:
        return "is empty"
    if value.isspace():
        return "is blank"
    for char in value:
        if any(low <= ord(char) <= high for low, high in (*REFUSED, SURROGATES)):
            return f"holds the character U+{ord(char):04X}, which no document can carry"
    return "starts or ends with whitespace"


def _shown(value: object) -> str:
    """Return ``value`` as a message shows it: escaped, and cut when long."""
    shown = ascii(value) if isinstance(value, str) else repr(value)
    return shown if len(shown) <= 60 else f"{shown[:40]}... ({len(shown)} characters)"  # noqa: PLR2004


def written_date(value: object, what: str) -> date:
    """Return the date written exactly ``YYYY-MM-DD``, within the window (R36), else raise."""
    if not isinstance(value, str) or not _WRITTEN_DATE.fullmatch(value):
        raise InvalidDateError(f"{what} must be a date written YYYY-MM-DD, got {_shown(value)}")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidDateError(f"{what} {value!r} is not a calendar date") from None
    return in_window(day, what)


def in_window(value: object, what: str) -> date:
    """Return ``value`` if it is a ``datetime.date`` from FIRST_DATE to LAST_DATE (R36)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidDateError(f"{what} must be a datetime.date, got {_shown(value)}")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise DateOutOfWindowError(
            f"{what} {value.isoformat()} is outside {FIRST_DATE.isoformat()} to "
            f"{LAST_DATE.isoformat()}, the dates the ledger takes (R36)"
        )
    return value


def whole(value: object, what: str, low: int, high: int) -> int:
    """Return a whole number from ``low`` to ``high``: an int, or ASCII digits as text."""
    if isinstance(value, str):
        if not _DIGITS.fullmatch(value) or len(value.lstrip("-")) > MAX_DIGITS:
            raise InvalidNumberError(
                f"{what} must be a whole number in ASCII digits, got {_shown(value)}"
            )
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidNumberError(f"{what} must be a whole number, got {_shown(value)}")
    return bounded(value, what, low, high)


def json_integer(literal: str) -> int:
    """Return a JSON integer literal's value; refuse one of more than ``MAX_DIGITS`` digits.

    Every JSON edge parses integers with this (``json.loads(parse_int=...)``), so a
    25-digit number is refused alike everywhere, before Python's own limit of
    4,300 digits could turn it into another error.
    """
    digits = len(literal.lstrip("-"))
    if digits > MAX_DIGITS:
        raise InvalidNumberError(
            f"a whole number of {digits} digits is out of range (at most {MAX_DIGITS})"
        )
    return int(literal)


def bounded(value: int, what: str, low: int, high: int) -> int:
    """Return ``value`` if it lies from ``low`` to ``high``, else raise InvalidNumberError."""
    if not low <= value <= high:
        raise InvalidNumberError(f"{what} must be from {low} to {high}, got {value}")
    return value


def amount_pattern(largest: int) -> str:
    """Return the pattern of canonical amounts from 0 to ``largest`` (a power of ten)."""
    digits = len(str(largest)) - 1
    if largest != 10**digits:
        raise ValueError(f"{largest} is not a power of ten")
    below = r"(?:0|[1-9][0-9]{0,%d})(?:\.[0-9]{1,2})?" % (digits - 1)  # noqa: UP031
    return rf"^(?:{below}|1{'0' * digits}(?:\.00?)?)" + END


#: Decimals a canonical amount may have (every currency the ledger bills has two).
AMOUNT_DECIMALS = 2
_AMOUNT = re.compile(r"(?:0|[1-9][0-9]{0,29})(?:\.[0-9]{1,30})?")


def amount(value: object, what: str) -> Decimal:
    """Return the amount a decimal string writes: ASCII digits, no sign, exponent or spaces."""
    if not isinstance(value, str) or not _AMOUNT.fullmatch(value):
        raise InvalidAmountError(
            f"{what} must be a decimal amount such as 100.00 (ASCII digits and a point; no "
            f"sign, exponent, spaces or leading zeros), got {_shown(value)} (R11)"
        )
    return Decimal(value)


def text_schema(max_length: int) -> dict[str, object]:
    """Return the JSON schema of a text field."""
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": TEXT_PATTERN}


def date_schema() -> dict[str, object]:
    """Return the JSON schema of a date field (R36)."""
    return {"type": "string", "format": "date", "pattern": DATE_PATTERN}


def whole_schema(low: int, high: int) -> dict[str, object]:
    """Return the JSON schema of a whole number."""
    return {"type": "integer", "minimum": low, "maximum": high}


def amount_schema(largest: int) -> dict[str, object]:
    """Return the JSON schema of an amount: a canonical decimal string.

    A JSON integer is taken too (as in command files), but the schema states the
    string alone: JSON schema counts ``100.0`` as an integer, and money is never a
    float (R11).
    """
    return {"type": "string", "pattern": amount_pattern(largest), "examples": ["100.00"]}
