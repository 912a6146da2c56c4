"""Reading camt.054 statements, and the one matcher of bank references to invoices (R34)."""

from __future__ import annotations

from datetime import date as D  # noqa: N812 -- short dates in tables
from decimal import Decimal
from pathlib import Path

import pytest

from severa_ledger.documents.camt054 import read_camt054
from severa_ledger.domain.payment_errors import BankStatementError
from severa_ledger.domain.statements import BankTransaction, match_invoice, references

FIXTURES = Path(__file__).parent / "fixtures" / "camt054"
V02 = (FIXTURES / "v02-nok.xml").read_bytes()
V08 = (FIXTURES / "v08-eur.xml").read_bytes()


def test_v02_entries_are_read_with_bank_reference_amount_date_and_references() -> None:
    """R34: camt.054.001.02: one transaction per entry, keyed by account and AcctSvcrRef."""
    found = read_camt054(V02, "v02-nok.xml")
    assert len(found) == 8
    first, second, debit, pending = found[0], found[1], found[4], found[6]
    assert first.key == "NO9386011117947/NDEA-0001"
    assert (first.amount, first.currency, first.booking_date) == (
        Decimal("500.00"),
        "NOK",
        D(2025, 2, 10),
    )
    assert (first.credit, first.booked, first.reversal) == (True, True, False)
    assert first.structured_references == ("VSOY-000001",)
    assert first.text is None
    assert second.structured_references == ()
    assert second.text == "Faktura VSOY-000001, resten"
    assert not debit.credit
    assert not pending.booked


def test_v08_batch_entry_gives_one_transaction_per_detail_with_its_own_amount() -> None:
    """R34: camt.054.001.08: a batch entry's TxDtls are paid apart, each keyed by its reference."""
    first, second = read_camt054(V08, "v08-eur.xml")
    assert first.key == "FI2112345600000785/OKOY-100/OKOY-100-1"
    assert second.key == "FI2112345600000785/OKOY-100/OKOY-100-2"
    assert (first.amount, second.amount) == (Decimal("376.50"), Decimal("100.00"))
    assert first.booked  # Sts/Cd BOOK (001.07 on)
    assert second.structured_references == ("RF18539007547034",)


@pytest.mark.parametrize("version", ["03", "04", "05", "06"])
def test_versions_between_02_and_08_read_as_02_when_only_the_namespace_differs(
    version: str,
) -> None:
    """camt.054.001.03-.06 carry the elements read under their own namespace."""
    renamed = V02.replace(b"camt.054.001.02", f"camt.054.001.{version}".encode())
    assert read_camt054(renamed, "x.xml") == read_camt054(V02, "x.xml")


def test_batch_transaction_without_its_own_reference_is_keyed_by_its_position() -> None:
    """A batch detail with no Refs/AcctSvcrRef is named by the entry's reference and its place."""
    data = V08.replace(b"<AcctSvcrRef>OKOY-100-2</AcctSvcrRef>", b"")
    assert read_camt054(data, "x.xml")[1].key == "FI2112345600000785/OKOY-100/2"


def test_entry_without_any_bank_reference_has_no_key() -> None:
    """No AcctSvcrRef anywhere: no key to record it once by (the import skips it)."""
    data = V02.replace(b"<AcctSvcrRef>NDEA-0001</AcctSvcrRef>", b"")
    assert read_camt054(data, "x.xml")[0].key == ""


MALFORMED = [
    (b"<Document", "not well-formed XML"),
    (V02.replace(b"camt.054.001.02", b"camt.053.001.02"), "not a camt.054 notification"),
    (V02.replace(b"camt.054.001.02", b"camt.054.001.10"), "version 001.10 is not read"),
    (V02.replace(b">500.00<", b">500,00<"), "entry 1: amount '500,00' is not a decimal"),
    (V02.replace(b'Ccy="NOK">400', b'Ccy="nok">400'), "entry 2: currency 'nok'"),
    (V02.replace(b"<CdtDbtInd>DBIT", b"<CdtDbtInd>DEBIT"), "entry 5: credit or debit"),
    (V02.replace(b"<Dt>2025-01-31</Dt>", b"<Dt>31.01.2025</Dt>"), "entry 8: booking date"),
    (V02.replace(b"<IBAN>NO9386011117947</IBAN>", b""), "names no account"),
    (V02.replace(b"<Ntfctn>", b"<Other>").replace(b"</Ntfctn>", b"</Other>"), "no notification"),
    (V08.replace(b'<Amt Ccy="EUR">100.00</Amt>', b""), "transaction 2 has no amount"),
    (b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", "not a camt.054"),
]


@pytest.mark.parametrize(("data", "problem"), MALFORMED, ids=[p for _, p in MALFORMED])
def test_malformed_statement_is_refused_naming_the_file_and_the_problem(
    data: bytes, problem: str
) -> None:
    """A file the reader cannot use raises BankStatementError with its name and what is wrong."""
    with pytest.raises(BankStatementError, match=r"^bank\.xml: ") as refused:
        read_camt054(data, "bank.xml")
    assert problem in str(refused.value)


def test_statement_given_as_text_is_refused_not_a_traceback() -> None:
    """A str (decoded already, its encoding declaration no longer true) is refused by name."""
    with pytest.raises(BankStatementError, match=r"^x\.xml: a statement is read as bytes, not str"):
        read_camt054(V02.decode(), "x.xml")  # type: ignore[arg-type]


# ------------------------------------------------------------------ the matcher


def transaction(structured: tuple[str, ...] = (), text: str | None = None) -> BankTransaction:
    """A booked incoming credit with the given references."""
    return BankTransaction(
        key="A/1",
        account="A",
        bank_reference="1",
        amount=Decimal("100.00"),
        currency="NOK",
        credit=True,
        booked=True,
        reversal=False,
        booking_date=D(2025, 2, 10),
        structured_references=structured,
        text=text,
    )


#: Invoices named by a KID (MOD10, check digit last), an RF creditor reference and numbers.
KNOWN = references(
    [
        ("0001234567897", "VSAS-000045"),  # a KID-like reference
        ("RF18539007547034", "VSOY-000007"),  # ISO 11649's own example
        ("VSAS-000045", "VSAS-000045"),
        ("VSOY-000007", "VSOY-000007"),
        ("4444", "VSAS-000046"),
        ("4444", "VSAS-000047"),  # one reference, two invoices
    ]
)

MATCHES = [
    (transaction(("0001234567897",)), ("VSAS-000045",)),
    (transaction(("RF18 5390 0754 7034",)), ("VSOY-000007",)),  # printed in groups of four
    (transaction(("rf18539007547034",)), ("VSOY-000007",)),
    (transaction(("0001234567897",), "VSOY-000007"), ("VSAS-000045",)),  # structured first
    (transaction(("999",), "faktura VSOY-000007."), ("VSOY-000007",)),  # text when unknown
    (transaction((), "Lasku vsoy-000007 kiitos"), ("VSOY-000007",)),
    (transaction(("4444",)), ("VSAS-000046", "VSAS-000047")),  # ambiguous: both
    (transaction((), "VSAS-000045 and VSOY-000007"), ("VSAS-000045", "VSOY-000007")),
    (transaction(("0001234567897", "RF18539007547034")), ("VSAS-000045", "VSOY-000007")),
    (transaction((), "VSOY-0000071"), ()),  # a longer number is not the invoice's
    (transaction((), "2025 payment"), ()),
    (transaction(), ()),
]


@pytest.mark.parametrize(("paid", "expected"), MATCHES)
def test_matcher_names_invoices_by_structured_reference_else_by_the_text(
    paid: BankTransaction, expected: tuple[str, ...]
) -> None:
    """R34: the structured reference decides; the free text only when it matches nothing."""
    assert match_invoice(paid, KNOWN) == expected
