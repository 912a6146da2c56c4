"""Sellers and bank accounts from a TOML file; payment references on issued documents (R23, R30)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.payment_errors import AmbiguousReferenceError, SellersFileError
from severa_ledger.domain.sellers import NEW_SELLER, PaymentDetails
from severa_ledger.ledger.sellers_file import read_sellers, sellers_from_environment
from tests.conftest import finnish_company, open_customer, run, stored_log

SELLERS = """
[sellers.visma-solutions-oy]
name = "Visma Solutions Oy"
country = "FI"
organisation_number = "1967543-8"
vat_id = "FI19675438"
address = "Villimiehenkatu 10, 53100 Lappeenranta, Finland"
series = "VSOY"
language = "fi"
terms = "https://example.com/terms"
email = "billing@example.com"

[[sellers.visma-solutions-oy.accounts]]
currency = "NOK"
bank = "Danske Bank Norge"
account = "8101.44.53075"
iban = "NO6681014453075"
reference = "kid-mod11"
kid_length = 10

[[sellers.visma-solutions-oy.accounts]]
currency = "EUR"
bank = "Nordea"
iban = "FI21 1234 5600 0007 85"
bic = "NDEAFIHH"

[[sellers.visma-solutions-oy.accounts]]
currency = "SEK"
bank = "Nordea Sverige"
iban = "SE4550000000058398257466"
"""


def _file(tmp_path: Path, text: str = SELLERS, name: str = "sellers.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_sellers_file_configures_the_seller_and_its_accounts(tmp_path: Path) -> None:
    """R23, R30: every key read; schemes default by R30 (FI seller in EUR: fi; SEK: rf)."""
    seller = read_sellers(_file(tmp_path))[NEW_SELLER]
    assert (seller.name, seller.series, seller.language) == ("Visma Solutions Oy", "VSOY", "fi")
    assert (seller.terms, seller.email) == ("https://example.com/terms", "billing@example.com")
    assert seller.payment["NOK"] == PaymentDetails(
        bank="Danske Bank Norge",
        account="8101.44.53075",
        iban="NO6681014453075",
        reference_scheme="kid-mod11",
        kid_length=10,
    )
    eur = seller.payment["EUR"]
    assert (eur.iban, eur.account, eur.bic) == (
        "FI2112345600000785",
        "FI21 1234 5600 0007 85",
        "NDEAFIHH",
    )
    assert (eur.reference_scheme, seller.payment["SEK"].reference_scheme) == ("fi", "rf")
    assert read_sellers(_file(tmp_path))["visma-software-as"].series == "VSAS"  # kept


#: A valid seller ``x`` to add a bad value to.
X = '[sellers.x]\nname = "X"\ncountry = "FI"\nseries = "XX"\n'


def _account(currency: str, iban: str, extra: str = "") -> str:
    return (
        f'{X}[[sellers.x.accounts]]\ncurrency = "{currency}"\nbank = "B"\niban = "{iban}"\n{extra}'
    )


EUR_IBAN, NOK_IBAN = "FI2112345600000785", "NO6681014453075"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sellers.x\n", "is not valid TOML"),
        ("[other]\n", "other: unknown table"),
        ("[sellers]\n", "sellers: the file names no seller"),
        (X + "colour = 1\n", "sellers.x: unknown key 'colour'"),
        (X.replace('name = "X"\n', ""), "sellers.x.name: is required"),
        (
            X.replace('"FI"', '"Finland"'),
            "sellers.x.country: 'Finland' is not a two-letter country code",
        ),
        (
            X.replace('"XX"', '"VSOY"'),
            "sellers.x.series: 'VSOY' is already the series of seller 'visma-solutions-oy'",
        ),
        (X + 'language = "sv"\n', "sellers.x.language: 'sv' is not one of nb, en, fi"),
        (
            X.replace('"X"', '"X\\u0000 Oy"'),
            "sellers.x.name: the value 'X\\x00 Oy' holds the character U+0000",
        ),
        (X + "terms = 5\n", "sellers.x.terms: must be a text, not 5"),
        (
            X + 'email = "Billing <billing@x.example>"\n',
            "sellers.x.email: 'Billing <billing@x.example>' is not an e-mail address",
        ),
        (X + 'email = "billing"\n', "sellers.x.email: 'billing' is not an e-mail address"),
        (
            X + 'organisation_number = "1967543-9"\n',
            "sellers.x.organisation_number: '1967543-9' is not a valid Finnish business id",
        ),
        (X + 'vat_id = "FI19675439"\n', "sellers.x.vat_id: 'FI19675439' is not a valid VAT id"),
        (
            _account("EUR", "FI2112345600000786"),
            "sellers.x.accounts.[1].iban: 'FI2112345600000786' is not a valid IBAN",
        ),
        (
            _account("EUR", EUR_IBAN, 'reference = "kid-mod10"\n'),
            "sellers.x.accounts.[1].reference: a KID is for NOK accounts, not EUR",
        ),
        (
            _account("NOK", NOK_IBAN, 'reference = "fi"\n'),
            "sellers.x.accounts.[1].reference: a Finnish reference is for EUR, not NOK",
        ),
        (
            _account("EUR", EUR_IBAN, 'reference = "rf"\nkid_length = 9\n'),
            "sellers.x.accounts.[1].kid_length: applies to KID schemes only, not 'rf'",
        ),
        (
            _account("NOK", NOK_IBAN, "kid_length = 30\n"),
            "sellers.x.accounts.[1].kid_length: must be a whole number 3..25, not 30",
        ),
        (
            _account("NOK", NOK_IBAN, 'bic = "NOTABIC!"\n'),
            "sellers.x.accounts.[1].bic: 'NOTABIC!' is not a valid BIC",
        ),
        (
            _account("XYZ", NOK_IBAN),
            "sellers.x.accounts.[1].currency:",
        ),
    ],
)
def test_a_bad_sellers_file_is_refused_naming_file_key_and_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    """R23: each bad value raises SellersFileError with the file, the key and the problem."""
    path = _file(tmp_path, text)
    with pytest.raises(SellersFileError) as refused:
        read_sellers(path)
    assert str(refused.value).startswith(f"sellers file {path}: ")
    assert message in str(refused.value)


def test_a_bad_sellers_file_opens_no_store(tmp_path: Path) -> None:
    """The file is read before the store: a refusal creates no SQLite file."""
    store = tmp_path / "x.db"
    with pytest.raises(SellersFileError, match="cannot be read"):
        Ledger.open(f"sqlite:///{store}", sellers=tmp_path / "missing.toml")
    assert not store.exists()


def test_the_environment_names_the_sellers_file(tmp_path: Path) -> None:
    """SEVERA_LEDGER_SELLERS: unset or empty means the built-in sellers."""
    path = _file(tmp_path)
    configured = sellers_from_environment({"SEVERA_LEDGER_SELLERS": str(path)})
    assert "EUR" in configured[NEW_SELLER].payment
    assert "EUR" not in sellers_from_environment({})[NEW_SELLER].payment


def _bill_finnish_eur(ledger: Ledger) -> list[str]:
    open_customer(
        ledger,
        "F1",
        company=finnish_company(),
        currency="EUR",
        seller=NEW_SELLER,
        regime="after_start",
    )
    ledger.buy_licenses("F1", "user", 2, on=date(2025, 2, 1))
    return list(ledger.run_billing(through=date(2025, 5, 31)).invoice_numbers)


def test_invoices_carry_the_reference_of_their_account_scheme(tmp_path: Path) -> None:
    """R30: EUR at the Finnish seller: Finnish reference numbers from the sequence, unique."""
    with Ledger.open("memory://", sellers=_file(tmp_path)) as ledger:
        numbers = _bill_finnish_eur(ledger)
        assert numbers == ["VSOY-000001", "VSOY-000002"]
        first, second = (ledger.invoice(n) for n in numbers)
        # 1000001: 1x7 + 0 + ... + 1x7 (7th from the right) = 14 -> check 6
        assert first.payment_reference == "10000016"
        # 1000002: 2x7 + 1x7 = 21 -> check 9
        assert second.payment_reference == "10000029"
        assert first.payment_details is not None
        assert first.payment_details.bic == "NDEAFIHH"
        assert ledger.verify().ok


def test_a_credit_note_carries_a_reference_of_its_own_number(tmp_path: Path) -> None:
    """R30: the credit note VSOY-000003 of VSOY-000001: Finnish reference of sequence 3."""
    with Ledger.open("memory://", sellers=_file(tmp_path)) as ledger:
        _bill_finnish_eur(ledger)
        number = ledger.credit_invoice("VSOY-000001", reason="test", on=date(2025, 5, 31))
        # 1000003: 3x7 + 1x7 = 28 -> check 2
        assert ledger.invoice(number).payment_reference == "10000032"
        assert ledger.invoice_by_reference("1000 0032").number == number  # type: ignore[union-attr]
        assert ledger.verify().ok


def test_an_invoice_without_an_account_is_issued_and_reported(tmp_path: Path) -> None:
    """R23: no EUR account by default: issued without details or reference, named by the run."""
    with Ledger.open("memory://") as ledger:
        open_customer(
            ledger,
            "F1",
            company=finnish_company(),
            currency="EUR",
            seller=NEW_SELLER,
            regime="after_start",
        )
        ledger.buy_licenses("F1", "user", 2, on=date(2025, 2, 1))
        preview = ledger.preview_billing(through=date(2025, 5, 31))
        assert preview.without_payment_details() == ["VSOY-000001", "VSOY-000002"]
        report = ledger.run_billing(through=date(2025, 5, 31))
        assert report.without_payment_details == ("VSOY-000001", "VSOY-000002")
        invoice = ledger.invoice("VSOY-000001")
        assert (invoice.payment_details, invoice.payment_reference) == (None, None)
        assert ledger.verify().ok


def test_the_bill_summary_and_dry_run_name_invoices_without_payment_details(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """R23 at the command line: the dry run and the run list VSOY-000001 and VSOY-000002."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Ledger.open(url) as ledger:
        open_customer(
            ledger,
            "F1",
            company=finnish_company(),
            currency="EUR",
            seller=NEW_SELLER,
            regime="after_start",
        )
        ledger.buy_licenses("F1", "user", 2, on=date(2025, 2, 1))
    code, out, _ = run(capsys, "--db", url, "bill", "--through", "2025-05-31", "--dry-run")
    assert code == 0
    assert "2 invoices without payment details" in " ".join(out.split())
    code, out, _ = run(capsys, "--db", url, "bill", "--through", "2025-05-31")
    text = " ".join(out.split())
    assert "R23): VSOY-000001, VSOY-000002" in text


def test_the_command_line_reads_severa_ledger_sellers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad SEVERA_LEDGER_SELLERS file: exit 2, its message, the store untouched."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Ledger.open(url) as ledger:
        open_customer(ledger, "C1")
        before = stored_log(ledger)
    monkeypatch.setenv("SEVERA_LEDGER_SELLERS", str(_file(tmp_path, "[sellers.x\n")))
    code, _, err = run(capsys, "--db", url, "bill", "--through", "2025-05-31")
    assert code == 2
    assert "is not valid TOML" in err
    monkeypatch.delenv("SEVERA_LEDGER_SELLERS")
    with Ledger.open(url) as ledger:
        assert stored_log(ledger) == before


def test_the_same_digits_at_two_sellers_are_ambiguous(tmp_path: Path) -> None:
    """R30, R34: both sellers use KID MOD10 in NOK: their first invoices share 00000018."""
    legacy = (
        '[sellers.visma-software-as]\nname = "Visma Software AS"\ncountry = "NO"\n'
        'organisation_number = "980858073"\nvat_id = "NO980858073MVA"\n'
        'address = "Karenslyst allé 56, 0277 Oslo, Norway"\nseries = "VSAS"\n'
        '[[sellers.visma-software-as.accounts]]\ncurrency = "NOK"\nbank = "DNB"\n'
        'iban = "NO9386011117947"\n'
    )
    with Ledger.open("memory://", sellers=_file(tmp_path, legacy)) as ledger:
        open_customer(ledger, "A", regime="in_advance", anchor=date(2025, 2, 1))
        open_customer(ledger, "B", regime="after_start", anchor=date(2025, 2, 1))
        ledger.buy_licenses("A", "user", 1, on=date(2025, 2, 1))
        ledger.buy_licenses("B", "user", 1, on=date(2025, 2, 1))
        ledger.run_billing(through=date(2025, 2, 28))
        assert ledger.invoice("VSAS-000001").payment_reference == "00000018"
        assert ledger.invoice("VSOY-000001").payment_reference == "00000018"
        with pytest.raises(AmbiguousReferenceError, match="VSAS-000001, VSOY-000001"):
            ledger.invoice_by_reference("00000018")
        assert ledger.invoice_by_reference("99999999") is None


def test_a_scheme_changed_later_leaves_issued_references_and_verify_clean(tmp_path: Path) -> None:
    """R18, R30: KID MOD10 issued, then the file says MOD11: old KIDs stand, new ones are MOD11."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with Ledger.open(url) as ledger:
        open_customer(ledger, "C1", anchor=date(2025, 2, 1))
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 2, 1))
        (first,) = ledger.run_billing(through=date(2025, 2, 28)).invoice_numbers
        assert ledger.invoice(first).payment_reference == "00000018"  # 1x2 = 2 -> check 8
    with Ledger.open(url, sellers=_file(tmp_path)) as ledger:  # NOK: kid-mod11, length 10
        assert ledger.invoice(first).payment_reference == "00000018"
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 3, 3))
        (second,) = ledger.run_billing(through=date(2025, 3, 31)).invoice_numbers
        # 0 + 00000002: 2x2 = 4, remainder 4 -> check 11 - 4 = 7
        assert ledger.invoice(second).payment_reference == "0000000027"
        report = ledger.verify()
    assert report.ok, report.rederivation.findings
