"""How a party is identified on an EHF document: electronic address, legal registration, address.

A Peppol electronic address (``cbc:EndpointID``) is an identifier with a
scheme from the EAS code list; a legal registration (``cac:PartyLegalEntity/
cbc:CompanyID``) carries a scheme from the ISO 6523 ICD list. Both follow from
the party's country and its organisation number, never from one scheme for
everybody:

* NO, organisation number (9 digits): ``0192:974760673``, legal ``0192:974760673``
* FI, business id (Y-tunnus) 1967543-8: ``0216:003719675438``, legal ``0212:1967543-8``
* SE, organisation number (10 digits): ``0007:5560360793``, legal the same
* DK, CVR number (8 digits): ``0184:13585628``, legal the same

Finland's 0216 is the OVT code: ``0037`` followed by the 8 digits of the
business id (no optional suffix); the EAS code 0037 itself is not in Peppol's
list (PEPPOL-EN16931-CL008), so 0216 is the Finnish electronic address.
Peppol checks the Norwegian number's mod-11 (PEPPOL-COMMON-R041), the Swedish
(R049) and Danish (R042) formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import attrs
from stdnum.dk import cvr
from stdnum.fi import ytunnus
from stdnum.no import orgnr
from stdnum.se import orgnr as se_orgnr

from severa_ledger.domain.errors import DocumentIncompleteError

#: EAS scheme and the identifier's form, per country, for ``cbc:EndpointID``.
_ENDPOINTS: dict[str, tuple[str, Callable[[str], str]]] = {
    "NO": ("0192", lambda n: str(orgnr.compact(n))),
    "FI": ("0216", lambda n: "0037" + str(ytunnus.compact(n))),
    "SE": ("0007", lambda n: str(se_orgnr.compact(n))),
    "DK": ("0184", lambda n: str(cvr.compact(n))),
}

#: ICD scheme and the identifier's form, per country, for the legal registration.
_REGISTRATIONS: dict[str, tuple[str, Callable[[str], str]]] = {
    **_ENDPOINTS,
    "FI": ("0212", lambda n: str(ytunnus.format(n))),
}

#: EAS schemes of VAT numbers, the electronic address of a buyer in a country without
#: an organisation-number scheme above (CEF EAS code list); else its e-mail, EAS ``EM``.
_VAT_ENDPOINTS = {
    "AT": "9914",
    "BE": "9925",
    "DE": "9930",
    "ES": "9920",
    "FR": "9957",
    "GB": "9932",
    "NL": "9944",
}
EMAIL = "EM"

_ADDRESS = re.compile(r"^(?P<street>[^,]+),\s*(?P<postcode>\S+)\s+(?P<city>[^,]+)(,.*)?$")


@attrs.frozen
class PartyId:
    """An identifier with its scheme: ``0192`` and ``974760673``."""

    scheme: str | None
    value: str


@attrs.frozen
class Address:
    """A postal address as the document's ``cac:PostalAddress`` carries it."""

    street: str | None
    postcode: str | None
    city: str | None
    country: str


def _lookup(
    table: dict[str, tuple[str, Callable[[str], str]]], country: str, number: str, what: str
) -> PartyId:
    if country not in table:
        known = ", ".join(sorted(table))
        raise DocumentIncompleteError(
            f"no {what} scheme for an organisation number of country {country!r}; known: {known}"
        )
    scheme, form = table[country]
    return PartyId(scheme, form(number))


def electronic_address(country: str, number: str) -> PartyId:
    """Return the Peppol electronic address of the organisation ``number`` of ``country``."""
    return _lookup(_ENDPOINTS, country, number, "electronic address")


def legal_registration(country: str, number: str) -> PartyId:
    """Return the legal registration identifier of the organisation ``number`` of ``country``."""
    return _lookup(_REGISTRATIONS, country, number, "legal registration")


def buyer_address(country: str, number: str, vat_id: str | None, email: str | None) -> PartyId:
    """Return a buyer's electronic address: its organisation number, VAT number or e-mail."""
    if country in _ENDPOINTS:
        return electronic_address(country, number)
    if vat_id and country in _VAT_ENDPOINTS:
        return PartyId(_VAT_ENDPOINTS[country], vat_id)
    if email:
        return PartyId(EMAIL, email)
    raise DocumentIncompleteError(
        f"a buyer in {country} has neither a VAT number with an EAS scheme nor an invoice "
        "e-mail: no electronic address for its EHF document (PEPPOL-EN16931-R010)"
    )


def buyer_registration(country: str, number: str) -> PartyId:
    """Return a buyer's legal registration: with its ICD scheme where one is known here."""
    if country in _REGISTRATIONS:
        return legal_registration(country, number)
    return PartyId(None, number)  # the scheme is optional (EN 16931 BT-47-1)


def split_address(text: str | None, country: str) -> Address:
    """Return a one-line address ``street, postcode city[, country]`` as its parts.

    A text in another form is kept whole as the street; no text gives the
    country alone (the rules want only the country code: BR-08, BR-09).
    """
    if text is None or not text.strip():
        return Address(None, None, None, country)
    found = _ADDRESS.match(text.strip())
    if found is None:
        return Address(text.strip(), None, None, country)
    return Address(found["street"].strip(), found["postcode"], found["city"].strip(), country)
