"""The seller and the buyer of an EHF document, from the invoice's snapshot (R18, R26).

Seller (``cac:AccountingSupplierParty``): electronic address and legal
registration from its organisation number, name, postal address, VAT id
(``PartyTaxScheme`` VAT) unless every line is outside the scope of VAT
(category O, BR-O-02), and for a Norwegian seller the ``Foretaksregisteret``
registration (``PartyTaxScheme`` TAX, NO-R-002). Buyer
(``cac:AccountingCustomerParty``): the same from its company details, and its
invoice e-mail as the contact.
"""

from __future__ import annotations

from severa_ledger.documents.parties import (
    Address,
    PartyId,
    buyer_address,
    buyer_registration,
    electronic_address,
    legal_registration,
    split_address,
)
from severa_ledger.documents.ubl_elements import Element, cac, cbc
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import Invoice
from severa_ledger.domain.errors import DocumentIncompleteError

#: The categories whose invoices must carry no VAT identifier (BR-O-02).
OUTSIDE_VAT = "O"
#: What a Norwegian limited company's documents must say (foretaksregisterloven § 10-2).
FORETAKSREGISTERET = "Foretaksregisteret"


def outside_vat(invoice: Invoice) -> bool:
    """Return whether every line of the invoice is outside the scope of VAT (category O)."""
    return all(line.vat_category == OUTSIDE_VAT for line in invoice.lines)


def _required(invoice: Invoice, field: str, value: str | None) -> str:
    if value is None or not value.strip():
        raise DocumentIncompleteError(
            f"invoice {invoice.number}: its seller snapshot ({invoice.seller.name}) has no "
            f"{field}, which its EHF document must carry; the store was written before the "
            f"seller's {field} was configured (R18: an issued invoice keeps its snapshot)"
        )
    return value


def supplier_party(parent: Element, invoice: Invoice) -> None:
    """Append ``cac:AccountingSupplierParty``; raise if the snapshot lacks a required identifier."""
    seller = invoice.seller
    number = _required(invoice, "business_id", seller.business_id)
    party = cac(cac(parent, "AccountingSupplierParty"), "Party")
    _endpoint(party, electronic_address(seller.country, number))
    cbc(cac(party, "PartyName"), "Name", seller.name)
    _postal_address(party, split_address(seller.address, seller.country))
    if not outside_vat(invoice):
        _tax_scheme(party, _required(invoice, "vat_id", seller.vat_id), "VAT")
    registered = seller.enterprise_register
    if registered or (registered is None and seller.country == "NO"):
        _tax_scheme(party, FORETAKSREGISTERET, "TAX")
    _legal_entity(party, seller.name, legal_registration(seller.country, number))


def customer_party(parent: Element, invoice: Invoice) -> None:
    """Append ``cac:AccountingCustomerParty`` from the buyer's company details."""
    buyer: CompanyDetails = invoice.buyer
    party = cac(cac(parent, "AccountingCustomerParty"), "Party")
    _endpoint(
        party, buyer_address(buyer.country, buyer.org_number, buyer.vat_id, buyer.invoice_email)
    )
    cbc(cac(party, "PartyName"), "Name", buyer.legal_name)
    _postal_address(party, Address(buyer.street, buyer.postcode, buyer.city, buyer.country))
    if buyer.vat_id and not outside_vat(invoice):
        _tax_scheme(party, buyer.vat_id, "VAT")
    _legal_entity(party, buyer.legal_name, buyer_registration(buyer.country, buyer.org_number))
    if buyer.invoice_email:
        cbc(cac(party, "Contact"), "ElectronicMail", buyer.invoice_email)


def _endpoint(party: Element, endpoint: PartyId) -> None:
    cbc(party, "EndpointID", endpoint.value, schemeID=endpoint.scheme or "")


def _postal_address(party: Element, address: Address) -> None:
    postal = cac(party, "PostalAddress")
    for name, value in (
        ("StreetName", address.street),
        ("CityName", address.city),
        ("PostalZone", address.postcode),
    ):
        if value:
            cbc(postal, name, value)
    cbc(cac(postal, "Country"), "IdentificationCode", address.country)


def _tax_scheme(party: Element, company_id: str, scheme: str) -> None:
    tax = cac(party, "PartyTaxScheme")
    cbc(tax, "CompanyID", company_id)
    cbc(cac(tax, "TaxScheme"), "ID", scheme)


def _legal_entity(party: Element, name: str, registration: PartyId) -> None:
    legal = cac(party, "PartyLegalEntity")
    cbc(legal, "RegistrationName", name)
    scheme = {} if registration.scheme is None else {"schemeID": registration.scheme}
    cbc(legal, "CompanyID", registration.value, **scheme)
