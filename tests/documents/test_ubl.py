"""The EHF / Peppol BIS 3.0 renderer: exact contents of the demo's documents, checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import attrs
import pytest
from lxml import etree

from severa_ledger import Ledger
from severa_ledger.documents.parties import (
    Address,
    PartyId,
    electronic_address,
    legal_registration,
    split_address,
)
from severa_ledger.documents.ubl import CUSTOMIZATION_ID, PROFILE_ID, invoice_xml
from severa_ledger.domain.billing import InvoiceNumber, build_invoice
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import Invoice, OrderConfirmation, OrderLine
from severa_ledger.domain.errors import DocumentIncompleteError, LedgerError
from severa_ledger.domain.sellers import VISMA_SOFTWARE_AS
from severa_ledger.domain.tax import DEFAULT_VAT
from tests.documents.conftest import CREDIT_DAY, SEED_INVOICE
from tests.documents.validation import NS, assert_valid, read_document

D = date


def _xpath(xml: bytes, path: str) -> list[str]:
    found = etree.fromstring(xml).xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [
        str(x).strip() if not isinstance(x, etree._Element) else (x.text or "").strip()
        for x in found
    ]


def test_the_seed_addition_is_one_reverse_charged_line_of_185_87(
    demo_documents: dict[str, bytes],
) -> None:
    """R9, R15, R16, R27: 1002's 2025-06-05 user: 57/92 x 300.00 = 185.87 NOK, AE, due 06-23."""
    doc = read_document(demo_documents[SEED_INVOICE])
    assert (doc.root, doc.type_code, doc.number) == ("Invoice", "380", "VSOY-000007")
    assert (doc.issue_date, doc.due_date, doc.currency) == (D(2025, 6, 9), D(2025, 6, 23), "NOK")
    assert doc.order_reference == "1002-6"  # the sixth order confirmation of customer 1002
    [line] = doc.lines
    assert (line.quantity, line.unit_code, line.price, line.amount) == (
        1,
        "C62",
        Decimal("185.87"),
        Decimal("185.87"),
    )
    assert (line.start, line.end, line.category, line.rate) == (
        D(2025, 6, 5),
        D(2025, 7, 31),
        "AE",
        0,
    )
    assert doc.breakdown == (("AE", 0, Decimal("185.87"), Decimal("0.00")),)
    assert (doc.net, doc.vat, doc.total, doc.payable) == (
        Decimal("185.87"),
        Decimal("0.00"),
        Decimal("185.87"),
        Decimal("185.87"),
    )
    # R30: KID MOD10 of 0000007: 7x2=14 -> 1+4=5, check 5
    assert (doc.payment_means, doc.payment_id, doc.iban) == ("30", "00000075", "NO6681014453075")
    assert doc.seller_endpoint == ("0216", "003719675438")  # OVT: 0037 + business id 1967543-8
    assert doc.buyer_endpoint == ("0192", "910203045")
    assert doc.note == "Omvendt avgiftsplikt"  # the ledger's note, in the Norwegian buyer's words


def test_reverse_charge_carries_the_exemption_and_no_vat_rate_but_zero(
    demo_documents: dict[str, bytes],
) -> None:
    """BR-AE-10, BR-AE-02: AE at 0 % with VATEX-EU-AE, the seller's VAT id, the buyer's org number."""
    xml = demo_documents[SEED_INVOICE]
    category = "//cac:TaxSubtotal/cac:TaxCategory/"
    assert _xpath(xml, f"{category}cbc:TaxExemptionReasonCode") == ["VATEX-EU-AE"]
    assert _xpath(xml, f"{category}cbc:TaxExemptionReason") == ["Reverse charge"]
    seller = "//cac:AccountingSupplierParty/cac:Party/"
    assert _xpath(xml, f"{seller}cac:PartyTaxScheme/cbc:CompanyID") == ["FI19675438"]
    assert _xpath(xml, f"{seller}cac:PartyLegalEntity/cbc:CompanyID/@schemeID") == ["0212"]
    buyer = "//cac:AccountingCustomerParty/cac:Party/"
    assert _xpath(xml, f"{buyer}cac:PartyLegalEntity/cbc:CompanyID") == ["910203045"]


def test_the_fixed_identifiers_open_the_document(demo_documents: dict[str, bytes]) -> None:
    """PEPPOL-EN16931-R001, R004, R007: the Billing 3.0 customization and profile."""
    for xml in demo_documents.values():
        assert _xpath(xml, "/*/cbc:CustomizationID") == [CUSTOMIZATION_ID]
        assert _xpath(xml, "/*/cbc:ProfileID") == [PROFILE_ID]


def test_a_legacy_invoice_names_visma_software_as_by_its_norwegian_identifiers(
    demo_documents: dict[str, bytes],
) -> None:
    """NO-R-001, NO-R-002, R23: NO980858073MVA, Foretaksregisteret, no payment details."""
    # 1003 adds a user 2024-10-14 in 2024-09-01..2024-11-30 (91 days): 300.00 x 48/91 =
    # 158.2417 -> 158.24; 25 % of it 39.56; total 197.80; in advance: issued on the order date.
    xml = demo_documents["VSAS-000009"]
    doc = read_document(xml)
    assert (doc.issue_date, doc.due_date) == (D(2024, 10, 14), D(2024, 10, 28))
    [line] = doc.lines
    assert (line.quantity, line.unit_code, line.amount, line.category, line.rate) == (
        1,
        "C62",
        Decimal("158.24"),
        "S",
        25,
    )
    assert (line.start, line.end) == (D(2024, 10, 14), D(2024, 11, 30))
    assert (doc.net, doc.vat, doc.total) == (Decimal("158.24"), Decimal("39.56"), Decimal("197.80"))
    seller = "//cac:AccountingSupplierParty/cac:Party/"
    assert doc.seller_endpoint == ("0192", "980858073")
    taxes = f"{seller}cac:PartyTaxScheme"
    assert _xpath(xml, f"{taxes}/cbc:CompanyID") == ["NO980858073MVA", "Foretaksregisteret"]
    assert _xpath(xml, f"{taxes}/cac:TaxScheme/cbc:ID") == ["VAT", "TAX"]
    assert _xpath(xml, f"{seller}cac:PostalAddress/cbc:StreetName") == ["Karenslyst allé 56"]
    assert (doc.payment_means, doc.payment_id, doc.iban) == ("1", None, None)  # R23: no account
    assert doc.note == "Ingen betalingsinformasjon er satt opp for Visma Software AS i NOK."


def test_a_renewal_bills_license_months_and_an_addition_licenses(
    demo_documents: dict[str, bytes],
) -> None:
    """R13, R14: 1001's renewal of 2024-07-01 is 4 x 3 = 12 MON at 100.00; its first order,
    4 licenses bought on the anchor, is 4 C62 at the full quarter's 300.00."""
    renewal = read_document(demo_documents["VSAS-000003"])
    [line] = renewal.lines
    assert (line.quantity, line.unit_code, line.price, line.amount) == (
        12,
        "MON",
        Decimal("100.00"),
        Decimal("1200.00"),
    )
    assert (line.start, line.end) == (D(2024, 7, 1), D(2024, 9, 30))
    assert (renewal.issue_date, renewal.vat, renewal.total) == (
        D(2024, 6, 1),
        Decimal("300.00"),
        Decimal("1500.00"),
    )  # in advance: a month before
    [bought] = read_document(demo_documents["VSAS-000001"]).lines
    assert (bought.quantity, bought.unit_code, bought.price, bought.amount) == (
        4,
        "C62",
        Decimal("300.00"),
        Decimal("1200.00"),
    )


def test_a_finnish_buyer_in_euro_pays_25_5_percent_and_has_no_account(
    demo_documents: dict[str, bytes],
) -> None:
    """R27, R23: 2001, 5 users from 2025-03-03: 15.00 x 29/31 = 14.03 x 5 = 70.15 + 17.89."""
    doc = read_document(demo_documents["VSOY-000001"])
    assert (doc.currency, doc.issue_date, doc.due_date) == ("EUR", D(2025, 3, 10), D(2025, 3, 24))
    [line] = doc.lines
    assert (line.quantity, line.price, line.amount, line.rate) == (
        5,
        Decimal("14.03"),
        Decimal("70.15"),
        Decimal("25.5"),
    )
    assert doc.breakdown == (("S", Decimal("25.5"), Decimal("70.15"), Decimal("17.89")),)
    assert doc.total == Decimal("88.04")
    assert doc.buyer_endpoint == ("0216", "003731234563")  # Saimaa Softworks Oy, 3123456-3
    assert (doc.payment_means, doc.iban) == ("1", None)
    assert doc.note == "Myyjälle Visma Solutions Oy ei ole määritetty maksutietoja valuutalle EUR."


def test_a_credit_note_refers_to_its_invoice_with_positive_amounts(
    demo: Ledger, demo_documents: dict[str, bytes]
) -> None:
    """R17: the credit note of VSOY-000007 is a CreditNote 381 of +185.87 citing it and its date."""
    [number] = [i.number for i in demo.invoices() if i.credited_invoice == SEED_INVOICE]
    doc = read_document(demo_documents[number])
    assert (doc.root, doc.type_code, doc.issue_date, doc.due_date) == (
        "CreditNote",
        "381",
        CREDIT_DAY,
        CREDIT_DAY,
    )
    assert doc.credited == (SEED_INVOICE, D(2025, 6, 9))
    [line] = doc.lines
    assert (line.quantity, line.amount, line.price) == (1, Decimal("185.87"), Decimal("185.87"))
    assert (doc.net, doc.vat, doc.total) == (Decimal("185.87"), Decimal("0.00"), Decimal("185.87"))
    assert doc.note == f"Krediterer faktura {SEED_INVOICE}: seat bought by mistake"


def test_a_credit_note_without_the_credited_date_cites_the_number_alone(demo: Ledger) -> None:
    """BR-55: the credited invoice's number suffices when its issue date is not passed."""
    [note] = [i for i in demo.invoices() if i.credited_invoice == SEED_INVOICE]
    doc = read_document(invoice_xml(note))
    assert doc.credited == (SEED_INVOICE, None)
    assert_valid(invoice_xml(note))


def test_the_same_invoice_gives_the_same_bytes(demo: Ledger) -> None:
    """R17: a document is a function of the invoice: a second demo store renders identical XML."""
    with Ledger.open("memory://") as again:
        from severa_ledger.cli.demo import THROUGH, load_demo  # noqa: PLC0415

        load_demo(again)
        again.run_billing(through=THROUGH)
        for invoice in again.invoices():
            assert invoice_xml(invoice) == invoice_xml(demo.invoice(invoice.number))


def test_an_invoice_view_and_its_invoice_render_alike(demo: Ledger) -> None:
    """An InvoiceView (with payment status) renders exactly as the Invoice it extends."""
    view = demo.invoice("VSOY-000004")
    plain = Invoice(**{f.name: getattr(view, f.name) for f in attrs.fields(Invoice)})
    assert type(view) is not Invoice
    assert invoice_xml(view) == invoice_xml(plain)


# ----------------------------------------------------------------- category O


FINNISH_BUYER = CompanyDetails(
    legal_name="Savo Data Oy", org_number="1967543-8", country="FI", street="Kauppakatu 1",
    postcode="70100", city="Kuopio", vat_id="FI19675438",
)  # fmt: skip


def _legacy_invoice(buyer: CompanyDetails) -> Invoice:
    line = OrderLine(kind="user", description="user licenses, 2025-01-01 to 2025-03-31",
                     licenses=2, quantity=6, unit="month", unit_price=Decimal("100.00"),
                     amount=Decimal("600.00"), period_start=D(2025, 1, 1),
                     period_end=D(2025, 3, 31))  # fmt: skip
    order = OrderConfirmation(customer_number="7001", sequence=3, date=D(2024, 12, 1),
                              kind="renewal", seller=VISMA_SOFTWARE_AS.key, regime="in_advance",
                              currency="NOK", lines=[line])  # fmt: skip
    return build_invoice(order, number=InvoiceNumber("VSAS", 41), issued=D(2024, 12, 1),
                         seller=VISMA_SOFTWARE_AS, buyer=buyer, vat=DEFAULT_VAT)  # fmt: skip


def test_a_norwegian_seller_to_a_finnish_buyer_is_outside_the_scope_of_vat() -> None:
    """BR-O-02, BR-O-05, BR-O-10: category O, no rate, VATEX-EU-O, no VAT id of either party."""
    invoice = _legacy_invoice(FINNISH_BUYER)
    xml = invoice_xml(invoice)
    assert_valid(xml)
    doc = read_document(xml)
    assert doc.breakdown == (("O", None, Decimal("600.00"), Decimal("0.00")),)
    assert [(x.category, x.rate) for x in doc.lines] == [("O", None)]
    category = "//cac:TaxSubtotal/cac:TaxCategory/"
    assert _xpath(xml, f"{category}cbc:TaxExemptionReasonCode") == ["VATEX-EU-O"]
    assert _xpath(xml, f"{category}cbc:TaxExemptionReason") == ["Outside the scope of VAT"]
    assert _xpath(xml, "//cac:PartyTaxScheme/cbc:CompanyID") == ["Foretaksregisteret"]
    assert doc.buyer_endpoint == ("0216", "003719675438")


def test_an_outside_scope_invoice_needs_no_seller_vat_id() -> None:
    """BR-O-02: with category O the seller's VAT id is left out, so a snapshot without it renders."""
    invoice = _legacy_invoice(FINNISH_BUYER)
    invoice = attrs.evolve(invoice, seller=attrs.evolve(invoice.seller, vat_id=None))
    assert_valid(invoice_xml(invoice))


# ----------------------------------------------------------------- stores from before


@pytest.mark.parametrize("field", ["vat_id", "business_id"])
def test_a_snapshot_without_a_required_seller_identifier_is_refused(
    demo: Ledger, field: str
) -> None:
    """R18: a legacy invoice stored before the seller was configured raises, naming what lacks."""
    invoice = demo.invoice("VSAS-000009")
    old = attrs.evolve(invoice, seller=attrs.evolve(invoice.seller, **{field: None}))
    with pytest.raises(DocumentIncompleteError, match=rf"VSAS-000009.*{field}") as raised:
        invoice_xml(old)
    assert isinstance(raised.value, LedgerError)


def test_a_snapshot_without_a_seller_address_still_validates(demo: Ledger) -> None:
    """BR-08: the seller's postal address needs only its country."""
    invoice = demo.invoice("VSAS-000009")
    assert_valid(
        invoice_xml(attrs.evolve(invoice, seller=attrs.evolve(invoice.seller, address=None)))
    )


# ----------------------------------------------------------------- explanations


@attrs.frozen
class _Explanation:
    def sentence(self, language: str) -> str:
        return f"why, in {language}"


@pytest.mark.parametrize(("number", "language"), [("VSOY-000007", "nb"), ("VSOY-000001", "fi")])
def test_a_line_explanation_is_the_line_note_in_the_buyers_language(
    demo: Ledger, number: str, language: str
) -> None:
    """A line's explanation, in the buyer country's language, is its cbc:Note; still valid."""
    invoice = demo.invoice(number)
    lines = [
        SimpleNamespace(**{**attrs.asdict(x, recurse=False), "explanation": _Explanation()})
        for x in invoice.lines
    ]
    xml = invoice_xml(attrs.evolve(invoice, lines=lines))
    assert [x.note for x in read_document(xml).lines] == [f"why, in {language}"] * len(lines)
    assert_valid(xml)


def test_a_line_without_explanation_has_no_note(demo: Ledger) -> None:
    """A line whose explanation is None has no cbc:Note."""
    invoice = demo.invoice("VSAS-000001")
    lines = [SimpleNamespace(**{**attrs.asdict(x, recurse=False), "explanation": None})
             for x in invoice.lines]  # fmt: skip
    doc = read_document(invoice_xml(attrs.evolve(invoice, lines=lines)))
    assert [x.note for x in doc.lines] == [None]


# ----------------------------------------------------------------- parties


@pytest.mark.parametrize(
    ("country", "number", "endpoint", "registration"),
    [
        ("NO", "974760673", PartyId("0192", "974760673"), PartyId("0192", "974760673")),
        ("NO", "974 760 673", PartyId("0192", "974760673"), PartyId("0192", "974760673")),
        ("FI", "1967543-8", PartyId("0216", "003719675438"), PartyId("0212", "1967543-8")),
        ("SE", "5560360793", PartyId("0007", "5560360793"), PartyId("0007", "5560360793")),
        ("DK", "13585628", PartyId("0184", "13585628"), PartyId("0184", "13585628")),
    ],
)
def test_the_scheme_follows_the_country_of_the_organisation_number(
    country: str, number: str, endpoint: PartyId, registration: PartyId
) -> None:
    """PEPPOL-EN16931-R010/R020: 0192 for Norway, 0216 (OVT) for Finland, 0007, 0184."""
    assert electronic_address(country, number) == endpoint
    assert legal_registration(country, number) == registration


def test_a_country_without_a_scheme_is_refused() -> None:
    """A party of a country with no known scheme gets a clear refusal, not a guessed scheme."""
    with pytest.raises(DocumentIncompleteError, match="'DE'"):
        electronic_address("DE", "123456789")


@pytest.mark.parametrize(
    ("text", "address"),
    [
        (
            "Villimiehenkatu 10, 53100 Lappeenranta, Finland",
            Address("Villimiehenkatu 10", "53100", "Lappeenranta", "FI"),
        ),
        ("Karenslyst allé 56, 0277 Oslo", Address("Karenslyst allé 56", "0277", "Oslo", "FI")),
        ("Somewhere", Address("Somewhere", None, None, "FI")),
        (None, Address(None, None, None, "FI")),
    ],
)
def test_a_one_line_address_splits_into_street_postcode_and_city(
    text: str | None, address: Address
) -> None:
    """The seller's configured address line becomes cac:PostalAddress parts."""
    assert split_address(text, "FI") == address
