"""Structured payment references: check digits by hand and by python-stdnum (R30)."""

from __future__ import annotations

import pytest
from stdnum import iso11649, luhn
from stdnum.no import kontonr

from severa_ledger.domain.errors import UnknownPolicyError
from severa_ledger.domain.payment_errors import ReferenceSpaceExhaustedError
from severa_ledger.domain.references import (
    SCHEMES,
    default_scheme,
    finnish_check_digit,
    finnish_reference,
    kid_mod10,
    kid_mod11,
    mod11_check_digit,
    normalise_reference,
    payment_reference,
    reference_for,
    rf_reference,
)
from severa_ledger.domain.sellers import PaymentDetails


@pytest.mark.parametrize(
    ("sequence", "length", "kid"),
    [
        # 0000045: from the right 5x2=10 -> 1+0, 4x1 = 5 -> check (10 - 5) = 5
        (45, 8, "00000455"),
        # 0000001: 1x2 = 2 -> check 8
        (1, 8, "00000018"),
        # 1234567: 7x2=14->5, 6, 5x2=10->1, 4, 3x2=6, 2, 1x2=2: 26 -> check 4
        (1234567, 8, "12345674"),
        # a 5-digit KID: 0045 -> 5x2=10->1, 4, 0, 0: 5 -> check 5
        (45, 5, "00455"),
    ],
)
def test_kid_mod10_is_the_padded_sequence_and_its_luhn_digit(
    sequence: int, length: int, kid: str
) -> None:
    """R30: KID MOD10 by hand, and valid for python-stdnum's luhn."""
    assert kid_mod10(sequence, length) == kid
    assert luhn.is_valid(kid)


def test_kid_mod11_uses_weights_2_to_7_from_the_right() -> None:
    """R30: 0 + 000045: 5x2 + 4x3 = 22, remainder 0 -> check digit 0."""
    assert kid_mod11(45) == "00000450"
    assert mod11_check_digit("0000045") == "0"


def test_kid_mod11_with_remainder_1_takes_the_other_variant_never_a_dash() -> None:
    """R30: 0000006 weighs 6x2 = 12, remainder 1 (no check digit); variant 1 adds 1x2: 14 -> 8."""
    assert mod11_check_digit("0000006") is None
    kid = kid_mod11(6)
    assert kid == "10000068"
    assert "-" not in kid
    assert mod11_check_digit(kid[:-1]) == kid[-1]


def test_mod11_check_digit_agrees_with_stdnum_norwegian_accounts() -> None:
    """R30: Norwegian account numbers use the same MOD11 (stdnum no.kontonr's example)."""
    assert kontonr.is_valid("86011117947")
    assert mod11_check_digit("8601111794") == "7"


def test_finnish_reference_weighs_7_3_1_from_the_right() -> None:
    """R30: 123 -> 3x7 + 2x3 + 1x1 = 28 -> check 2 (the banks' example 1232)."""
    assert finnish_check_digit("123") == "2"
    # 1000045: 5x7 + 4x3 + 0 + 0 + 0 + 0 + 1x7 = 54 -> check 6
    assert finnish_reference(45) == "10000456"


def test_rf_reference_is_iso_11649_over_the_same_digits() -> None:
    """R30: RF + check digits + 1000045, the check digits by ISO 7064 MOD 97-10 by hand."""
    reference = rf_reference(45)
    assert reference.startswith("RF")
    assert reference.endswith("1000045")
    # 1000045 + R(27) F(15) + 00, then 98 - remainder mod 97
    check = 98 - int("1000045" + "2715" + "00") % 97
    assert reference == f"RF{check:02d}1000045"
    assert iso11649.is_valid(reference)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_references_are_unique_and_valid_for_every_sequence(scheme: str) -> None:
    """R30: 20,000 sequences, 20,000 different references, each passing its bank's check."""
    references = [reference_for(scheme, n) for n in range(1, 20_001)]
    assert len(set(references)) == len(references)
    assert len({normalise_reference(r) for r in references}) == len(references)
    for reference in references[::997]:
        if scheme == "kid-mod10":
            assert luhn.is_valid(reference)
        elif scheme == "kid-mod11":
            assert mod11_check_digit(reference[:-1]) == reference[-1]
        elif scheme == "fi":
            assert finnish_check_digit(reference[:-1]) == reference[-1]
        else:
            assert iso11649.is_valid(reference)


def test_an_unknown_scheme_is_refused() -> None:
    """R30: only the four schemes make references."""
    with pytest.raises(UnknownPolicyError, match="unknown payment reference scheme 'kid'"):
        reference_for("kid", 1)


@pytest.mark.parametrize(
    ("currency", "country", "scheme"),
    [
        ("NOK", "FI", "kid-mod10"),
        ("NOK", "NO", "kid-mod10"),
        ("EUR", "FI", "fi"),
        ("EUR", "NO", "rf"),
        ("SEK", "FI", "rf"),
    ],
)
def test_an_account_naming_no_scheme_takes_r30s_default(
    currency: str, country: str, scheme: str
) -> None:
    """R30: KID MOD10 in NOK, Finnish reference in EUR at a Finnish seller, otherwise RF."""
    assert default_scheme(currency, country) == scheme
    details = PaymentDetails(bank="B", account="A", iban="I")
    assert payment_reference(details, 45, currency=currency, seller_country=country) == (
        reference_for(scheme, 45)
    )
    assert payment_reference(None, 45, currency=currency, seller_country=country) is None


def test_a_sequence_beyond_the_kid_length_is_refused() -> None:
    """R30: an 8-digit KID holds sequences up to 9,999,999; the next is refused by name."""
    assert kid_mod10(9_999_999) == "9999999" + luhn.calc_check_digit("9999999")
    with pytest.raises(ReferenceSpaceExhaustedError, match="10000000 does not fit a kid-mod10"):
        kid_mod10(10_000_000)


@pytest.mark.parametrize(
    ("quoted", "normal"),
    [
        ("RF18 5390 0754 7034", "RF18539007547034"),
        ("rf18539007547034", "RF18539007547034"),
        ("0000 0455", "455"),
        ("00000000000010000456", "10000456"),
        ("1000-0456", "10000456"),
        ("VSOY-000007", "VSOY000007"),
    ],
)
def test_normalise_reference_ignores_spacing_case_and_leading_zeros(
    quoted: str, normal: str
) -> None:
    """R34: references a bank quotes compare equal to the ones issued."""
    assert normalise_reference(quoted) == normal
