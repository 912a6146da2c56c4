"""EHF payment means: the structured reference, the account and the BIC (R23, R30).

Documents billed with a sellers file giving Visma Solutions Oy a NOK account (KID
MOD10) and an EUR account with a BIC (Finnish reference) validate under the XSD
and the CEN rules, and carry ``PaymentMeansCode`` 30 or 58, ``PaymentID``, the IBAN
and the BIC.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from severa_ledger import Ledger
from severa_ledger.cli.demo import THROUGH, load_demo
from severa_ledger.documents.pdf import invoice_pdf
from severa_ledger.domain.sellers import NEW_SELLER
from tests.conftest import finnish_company, open_customer
from tests.documents.conftest import document_xml
from tests.documents.pdf_support import text as pdf_text
from tests.documents.validation import NS, validate

FIXTURE = Path(__file__).parent.parent / "fixtures" / "ledger-v1.db"

SELLERS = """
[sellers.visma-solutions-oy]
name = "Visma Solutions Oy"
country = "FI"
organisation_number = "1967543-8"
vat_id = "FI19675438"
address = "Villimiehenkatu 10, 53100 Lappeenranta, Finland"
series = "VSOY"

[[sellers.visma-solutions-oy.accounts]]
currency = "NOK"
bank = "Danske Bank Norge"
account = "8101.44.53075"
iban = "NO6681014453075"

[[sellers.visma-solutions-oy.accounts]]
currency = "EUR"
bank = "Nordea"
iban = "FI2112345600000785"
bic = "NDEAFIHH"
"""


@pytest.fixture(scope="module")
def configured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ledger]:
    """The demo billed with both accounts configured, and one credit note."""
    path = tmp_path_factory.mktemp("sellers") / "sellers.toml"
    path.write_text(SELLERS, encoding="utf-8")
    with Ledger.open("memory://", sellers=path) as ledger:
        load_demo(ledger)
        ledger.run_billing(through=THROUGH)
        ledger.credit_invoice("VSOY-000007", reason="seat bought by mistake", on=date(2025, 8, 20))
        yield ledger


def _means(xml: bytes) -> dict[str, str | None]:
    doc = etree.fromstring(xml)

    def text(path: str) -> str | None:
        found = doc.xpath(f"cac:PaymentMeans/{path}/text()", namespaces=NS)
        return str(found[0]) if found else None

    return {
        "code": text("cbc:PaymentMeansCode"),
        "id": text("cbc:PaymentID"),
        "account": text("cac:PayeeFinancialAccount/cbc:ID"),
        "bic": text("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
    }


def test_every_configured_document_validates_and_quotes_its_reference(configured: Ledger) -> None:
    """R23, R30: 26 documents, 0 errors, 0 warnings; PaymentID is the reference where one is.

    Visma Software AS has no account (R23): its documents have neither.
    """
    documents = {i.number: (i, document_xml(configured, i)) for i in configured.invoices()}
    assert len(documents) == 26
    problems = {n: [str(f) for f in validate(x)] for n, (_, x) in documents.items()}
    assert {n: p for n, p in problems.items() if p} == {}
    for invoice, xml in documents.values():
        assert (invoice.payment_reference is None) == (invoice.series == "VSAS")
        assert _means(xml)["id"] == invoice.payment_reference


def test_a_nok_invoice_is_a_credit_transfer_with_a_kid(configured: Ledger) -> None:
    """R30: VSOY-000007 in NOK: code 30, KID MOD10 of 0000007 (7x2=14 -> 1+4=5, check 5)."""
    xml = document_xml(configured, configured.invoice("VSOY-000007"))
    assert _means(xml) == {
        "code": "30",
        "id": "00000075",
        "account": "NO6681014453075",
        "bic": None,
    }


def test_an_eur_invoice_is_a_sepa_transfer_with_iban_bic_and_finnish_reference(
    configured: Ledger,
) -> None:
    """R30: an EUR invoice of the Finnish seller: code 58, the IBAN, the BIC, a 7-3-1 reference."""
    invoice = next(i for i in configured.invoices() if i.currency == "EUR" and i.type_code == 380)
    means = _means(document_xml(configured, invoice))
    assert (means["code"], means["account"], means["bic"]) == (
        "58",
        "FI2112345600000785",
        "NDEAFIHH",
    )
    # 1 + the sequence padded to 6 digits, then the check digit by weights 7, 3, 1
    assert means["id"] == f"1{invoice.sequence:06d}" + means["id"][-1]  # type: ignore[index]


def test_an_invoice_without_payment_details_has_no_payment_id() -> None:
    """R23: no EUR account by default: code 1, no PaymentID, no account; still valid."""
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
        (number,) = ledger.run_billing(through=date(2025, 2, 28)).invoice_numbers
        xml = document_xml(ledger, ledger.invoice(number))
    assert _means(xml) == {"code": "1", "id": None, "account": None, "bic": None}
    assert validate(xml) == []


def test_the_pdf_prints_the_bic_and_the_reference(configured: Ledger) -> None:
    """R30: the PDF's payment block names the IBAN, the BIC and the reference."""
    invoice = next(i for i in configured.invoices() if i.currency == "EUR" and i.type_code == 380)
    text = pdf_text(invoice_pdf(invoice))
    assert "NDEAFIHH" in text
    assert invoice.payment_reference is not None
    assert invoice.payment_reference in text


def test_old_documents_keep_their_number_as_reference_and_verify(tmp_path: Path) -> None:
    """The v1 fixture: documents stored before references quote their numbers; verify is clean."""
    copy = tmp_path / "ledger-v1.db"
    shutil.copyfile(FIXTURE, copy)
    with Ledger.open(f"sqlite:///{copy}") as ledger:
        documents = ledger.invoices()
        assert documents
        assert all(d.payment_reference == d.number for d in documents)
        assert ledger.invoice_by_reference(documents[0].number) == documents[0]
        report = ledger.verify()
    assert report.ok, report.rederivation.findings
