"""Structured payment references: KID, Finnish reference number, RF (R30).

Each scheme turns an invoice's sequence number in its seller's series (unique
within the seller, R17) into a reference a bank checks:

- ``kid-mod10``: Norwegian KID, the sequence zero-padded to ``length - 1``
  digits and a Luhn check digit (python-stdnum ``luhn``).
- ``kid-mod11``: Norwegian KID with a MOD11 check digit (weights 2..7 from
  the right). Remainder 1 has no valid check digit, so the payload carries a
  leading variant digit: 0, or 1 when 0 gives remainder 1 (the 1 moves the
  weighted sum by a weight of 2..7, never a multiple of 11). The sequence fills
  the remaining ``length - 2`` digits; a sequence has exactly one KID.
- ``fi``: Finnish reference number (viitenumero), ``1`` + the sequence padded
  to 6 digits + a 7-3-1 check digit; the leading 1 keeps leading zeros away,
  which Finnish banks drop.
- ``rf``: ISO 11649 creditor reference, ``RF`` + two check digits + the same
  digits as ``fi`` without its check digit (python-stdnum ``iso11649``).
"""

from __future__ import annotations

import re

from stdnum import iso11649, luhn
from stdnum.iso7064 import mod_97_10

from severa_ledger.domain.errors import UnknownPolicyError
from severa_ledger.domain.payment_errors import ReferenceSpaceExhaustedError
from severa_ledger.domain.sellers import PaymentDetails

KID_MOD10 = "kid-mod10"
KID_MOD11 = "kid-mod11"
FINNISH = "fi"
RF = "rf"
SCHEMES = (KID_MOD10, KID_MOD11, FINNISH, RF)
#: The KID length when the account names none: 7 digits plus the check digit.
DEFAULT_KID_LENGTH = 8
#: Banks accept KIDs of 2 to 25 digits; the MOD11 variant digit needs one more.
KID_LENGTHS = range(3, 26)
_FINNISH_WEIGHTS = (7, 3, 1)
_SEPARATORS = re.compile(r"[\s.\-/]")


def mod11_check_digit(digits: str) -> str | None:
    """Return the MOD11 check digit of ``digits`` (weights 2..7 from the right).

    None when the remainder is 1: no digit makes the number valid.
    """
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    remainder = total % 11
    if remainder == 1:
        return None
    return str((11 - remainder) % 11)


def finnish_check_digit(digits: str) -> str:
    """Return the check digit of a Finnish reference number (weights 7, 3, 1 from the right)."""
    total = sum(int(d) * _FINNISH_WEIGHTS[i % 3] for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _padded(sequence: int, width: int, scheme: str) -> str:
    digits = f"{sequence:0{width}d}"
    if len(digits) > width:
        raise ReferenceSpaceExhaustedError(
            f"invoice sequence {sequence} does not fit a {scheme} reference of "
            f"{width} payload digits (R30); configure a longer KID length"
        )
    return digits


def kid_mod10(sequence: int, length: int = DEFAULT_KID_LENGTH) -> str:
    """Return the KID (MOD10) of the invoice with ``sequence``: ``length`` digits (R30)."""
    payload = _padded(sequence, length - 1, KID_MOD10)
    return payload + luhn.calc_check_digit(payload)


def kid_mod11(sequence: int, length: int = DEFAULT_KID_LENGTH) -> str:
    """Return the KID (MOD11) of the invoice with ``sequence``; never one without a check digit."""
    digits = _padded(sequence, length - 2, KID_MOD11)
    for variant in "01":
        check = mod11_check_digit(variant + digits)
        if check is not None:
            return variant + digits + check
    msg = "unreachable: variant 1 moves the weighted sum by 2..7"  # pragma: no cover
    raise AssertionError(msg)  # pragma: no cover


def finnish_reference(sequence: int) -> str:
    """Return the Finnish reference number of the invoice with ``sequence`` (R30)."""
    payload = "1" + f"{sequence:06d}"
    return payload + finnish_check_digit(payload)


def rf_reference(sequence: int) -> str:
    """Return the ISO 11649 creditor reference of the invoice with ``sequence`` (R30)."""
    body = "1" + f"{sequence:06d}"
    reference = "RF" + mod_97_10.calc_check_digits(body + "RF") + body
    return str(iso11649.validate(reference))


def default_scheme(currency: str, seller_country: str) -> str:
    """Return R30's scheme for an account naming none.

    KID MOD10 in NOK, the Finnish reference in EUR at a Finnish seller, else RF.
    """
    if currency == "NOK":
        return KID_MOD10
    return FINNISH if currency == "EUR" and seller_country == "FI" else RF


def reference_for(scheme: str, sequence: int, length: int | None = None) -> str:
    """Return the reference of the invoice with ``sequence`` by ``scheme`` (R30)."""
    if scheme == KID_MOD10:
        return kid_mod10(sequence, length or DEFAULT_KID_LENGTH)
    if scheme == KID_MOD11:
        return kid_mod11(sequence, length or DEFAULT_KID_LENGTH)
    if scheme == FINNISH:
        return finnish_reference(sequence)
    if scheme == RF:
        return rf_reference(sequence)
    raise UnknownPolicyError(
        f"unknown payment reference scheme {scheme!r}; known: {', '.join(SCHEMES)}"
    )


def normalise_reference(text: str) -> str:
    """Return a reference in the form references are compared in (R34).

    Spaces, dots, dashes and slashes go, letters are upper case, and an all-digit
    reference loses its leading zeros.

    ``"RF18 5390 0754 7034"`` and ``"rf18539007547034"`` normalise alike, as do a KID
    with or without spaces and a Finnish reference with its leading zeros
    (which Finnish banks add to fill 20 digits) removed.
    """
    compact = _SEPARATORS.sub("", text).upper()
    if compact.isdigit():
        return compact.lstrip("0") or "0"
    return compact


def payment_reference(
    details: PaymentDetails | None, sequence: int, *, currency: str, seller_country: str
) -> str | None:
    """Return the reference of the document with ``sequence`` paid to ``details`` (R23, R30).

    None without payment details (R23: nothing to pay to). Details naming no
    scheme take R30's default for the currency and the seller's country.
    """
    if details is None:
        return None
    scheme = details.reference_scheme or default_scheme(currency, seller_country)
    return reference_for(scheme, sequence, details.kid_length)
