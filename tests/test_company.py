"""Company details: identifiers validated for the country, stored compact (R26).

Check digits worked by hand:

- NO org 974760673, MOD11 weights 3 2 7 6 5 4 3 2 over 97476067:
  27 + 14 + 28 + 42 + 30 + 0 + 18 + 14 = 173; 173 mod 11 = 8; 11 - 8 = 3 (valid).
- FI business id 1967543-8, weights 7 9 10 5 8 4 2 over 1967543:
  7 + 81 + 60 + 35 + 40 + 16 + 6 = 245; 245 mod 11 = 3; 11 - 3 = 8 (valid).
- NO account 8101.44.53075, MOD11 weights 5 4 3 2 7 6 5 4 3 2 over 8101445307:
  40 + 4 + 0 + 2 + 28 + 24 + 25 + 12 + 0 + 14 = 149; 149 mod 11 = 6; 11 - 6 = 5 (valid).
- IBAN NO6681014453075: 81014453075 N=23 O=24 66 -> 81014453075232466 mod 97 = 1
  (valid); with check digits 67 the remainder is 2 (invalid).
"""

from __future__ import annotations

import pytest

from severa_ledger import CompanyDetails, InvalidCompanyDetailsError

NORWEGIAN = {
    "legal_name": "Eksempel AS",
    "org_number": "974 760 673",
    "country": "NO",
    "street": "Storgata 1",
    "postcode": "0155",
    "city": "Oslo",
}
FINNISH = {
    "legal_name": "Esimerkki Oy",
    "org_number": "1967543-8",
    "country": "FI",
    "street": "Villimiehenkatu 10",
    "postcode": "53100",
    "city": "Lappeenranta",
}
BASES = {"NO": NORWEGIAN, "FI": FINNISH}


@pytest.mark.parametrize(
    ("country", "field", "given", "stored"),
    [
        ("NO", "org_number", "974 760 673", "974760673"),
        ("NO", "org_number", "974760673", "974760673"),
        ("NO", "vat_id", "NO974760673MVA", "NO974760673MVA"),
        ("NO", "vat_id", "NO 974 760 673 MVA", "NO974760673MVA"),
        ("NO", "bank_account", "NO66 8101 4453 075", "NO6681014453075"),
        ("NO", "bank_account", "8101.44.53075", "81014453075"),
        # python-stdnum's compact form of a Y-tunnus drops the dash
        ("FI", "org_number", "1967543-8", "1967543-8"),
        ("FI", "org_number", "19675438", "1967543-8"),
        ("FI", "vat_id", "FI19675438", "FI19675438"),
        ("FI", "bank_account", "NO66 8101 4453 075", "NO6681014453075"),
        ("NO", "invoice_email", "faktura@eksempel.no", "faktura@eksempel.no"),
    ],
)
def test_valid_identifiers_are_stored_in_compact_form(country, field, given, stored):
    """R26: a valid identifier is accepted and kept in its compact form."""
    details = CompanyDetails(**{**BASES[country], field: given})
    assert getattr(details, field) == stored


@pytest.mark.parametrize(
    ("country", "field", "value"),
    [
        ("NO", "org_number", "974760674"),  # MOD11 check digit should be 3
        ("NO", "org_number", "97476067"),  # too short
        ("FI", "org_number", "1967543-7"),  # check digit should be 8
        ("NO", "vat_id", "NO974760674MVA"),
        ("NO", "bank_account", "NO67 8101 4453 075"),  # IBAN remainder 2, not 1
        ("NO", "bank_account", "8101.44.53076"),  # MOD11 check digit should be 5
        ("NO", "invoice_email", "faktura.eksempel.no"),  # no "@"
        ("NO", "country", "XX"),  # not an ISO 3166-1 alpha-2 code
    ],
)
def test_invalid_values_are_refused_with_the_value_named(country, field, value):
    """R26: an invalid identifier, e-mail or country is refused; the message names it."""
    with pytest.raises(InvalidCompanyDetailsError) as raised:
        CompanyDetails(**{**BASES[country], field: value})
    assert repr(value) in str(raised.value)


@pytest.mark.parametrize("field", ["legal_name", "org_number", "street", "postcode", "city"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_empty_required_fields_are_refused(field, blank):
    """R26: legal name, organisation number and address lines must not be empty."""
    with pytest.raises(InvalidCompanyDetailsError, match=field):
        CompanyDetails(**{**NORWEGIAN, field: blank})


def test_changed_returns_new_details_and_keeps_the_old():
    """R26: changed() returns new, validated details; the original is unchanged."""
    before = CompanyDetails(**NORWEGIAN)
    after = before.changed(city="Bergen", postcode="5003")
    assert (after.city, after.postcode, after.org_number) == ("Bergen", "5003", "974760673")
    assert (before.city, before.postcode) == ("Oslo", "0155")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"nonsense": "x"}, "nonsense"),
        ({"org_number": "974760674"}, "974760674"),
        ({"vat_id": "NO974760674MVA"}, "NO974760674MVA"),
        ({"invoice_email": "nobody"}, "nobody"),
    ],
)
def test_changed_refuses_unknown_fields_and_invalid_values(fields, named):
    """R26: changed() validates again and refuses fields a company does not have."""
    with pytest.raises(InvalidCompanyDetailsError, match=named):
        CompanyDetails(**NORWEGIAN).changed(**fields)
