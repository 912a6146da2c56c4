"""Company details of a buyer, validated with python-stdnum (R26)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import stdnum
from stdnum import iban
from stdnum.dk import cvr
from stdnum.eu import vat
from stdnum.exceptions import ValidationError
from stdnum.fi import ytunnus
from stdnum.no import kontonr, mva, orgnr
from stdnum.se import orgnr as se_orgnr

from severa_ledger.domain import inputs
from severa_ledger.domain.countries import COUNTRIES, VAT_PREFIXES
from severa_ledger.domain.errors import (
    InvalidCompanyDetailsError,
    InvalidCompanyTextError,
    InvalidTextError,
)

Validator = Callable[[str], str]


def _ytunnus(number: str) -> str:
    """Validate a Finnish business id and keep its usual form, 1234567-8."""
    return str(ytunnus.format(ytunnus.validate(number)))


def _norwegian_vat(number: str) -> str:
    """Validate a Norwegian VAT id and keep its country prefix: NO974760673MVA."""
    return f"NO{mva.validate(number)}"


ORGANISATION_NUMBERS: dict[str, tuple[str, Validator]] = {
    "NO": ("Norwegian organisation number (MOD11)", orgnr.validate),
    "FI": ("Finnish business id (Y-tunnus)", _ytunnus),
    "SE": ("Swedish organisation number", se_orgnr.validate),
    "DK": ("Danish CVR number", cvr.validate),
}


def _vat_validator(country: str) -> Validator:
    """Return the VAT id check of ``country``: python-stdnum's, the id kept with its prefix."""
    if country == "NO":
        return _norwegian_vat
    prefix = VAT_PREFIXES.get(country, country)

    def validate(number: str) -> str:
        if country.lower() in vat.MEMBER_STATES:  # the EU VAT number, its prefix added if left off
            text = "".join(number.split())
            compact = str(vat.validate(text if text[:2].isalpha() else prefix + text))
        else:
            compact = _national(country, number)
        if not compact.startswith(prefix):
            raise ValidationError(f"not a VAT id of {country} (prefix {prefix})")
        return compact

    return validate


def _national(country: str, number: str) -> str:
    """Validate ``number`` with the country's stdnum VAT module, if it has one; add the prefix."""
    module = stdnum.get_cc_module(country.lower(), "vat")
    compact = "".join(number.split()) if module is None else str(module.validate(number))
    return compact if compact[:2].upper() == country else f"{country}{compact}"


def _bank_validator(country: str) -> Validator:
    def validate(number: str) -> str:
        if country == "NO" and number.replace(".", "").replace(" ", "").isdigit():
            return str(kontonr.validate(number))
        return str(iban.validate(number))

    return validate


def _checked(what: str, value: str, validate: Validator) -> str:
    try:
        return str(validate(value))
    except ValidationError as error:
        raise InvalidCompanyDetailsError(f"invalid {what} {value!r}: {error} (R26)") from None


def _check_country(_instance: object, _attribute: object, value: str) -> None:
    if company_text("country")(value) not in COUNTRIES:
        raise InvalidCompanyDetailsError(
            f"country {value!r} is not an ISO 3166-1 alpha-2 code such as NO, FI, DE or US (R26)"
        )


def _organisation_number(country: str, number: str) -> str:
    """Return the organisation number checked where its country has a known scheme (R26)."""
    if country not in ORGANISATION_NUMBERS:
        return number  # no national scheme known here: kept as given, under the text rules
    name, validate = ORGANISATION_NUMBERS[country]
    return _checked(name, number, validate)


#: Each field's length limit and whether it is required (domain/inputs.py text rules).
COMPANY_TEXT: dict[str, tuple[int, bool]] = {
    "legal_name": (200, True),
    "org_number": (64, True),
    "country": (2, True),
    "street": (200, True),
    "postcode": (32, True),
    "city": (100, True),
    "vat_id": (64, False),
    "invoice_email": (254, False),
    "bank_account": (64, False),
}


def company_text(name: str) -> Callable[[object], Any]:
    """Return the converter of field ``name``: a checked, NFC text (None where optional)."""
    limit, required = COMPANY_TEXT[name]

    def convert(value: object) -> str | None:
        if value is None and not required:
            return None
        try:
            return inputs.text(value, f"company {name}", limit)
        except InvalidTextError as error:
            raise InvalidCompanyTextError(f"{error} (R26)") from None

    return convert


@attrs.frozen
class CompanyDetails:
    """A buyer's legal name, identifiers, address and contacts (R26).

    Identifiers are validated for the country and stored in compact form.
    """

    legal_name: str = attrs.field()
    org_number: str = attrs.field()
    country: str = attrs.field(validator=_check_country)
    street: str = attrs.field()
    postcode: str = attrs.field()
    city: str = attrs.field()
    vat_id: str | None = None
    invoice_email: str | None = None
    bank_account: str | None = None

    def __attrs_post_init__(self) -> None:
        for field in COMPANY_TEXT:  # the text rules, NFC (domain/inputs.py)
            object.__setattr__(self, field, company_text(field)(getattr(self, field)))
        compact = _organisation_number(self.country, self.org_number)
        object.__setattr__(self, "org_number", compact)
        if self.vat_id is not None:
            vat_id = _checked(f"{self.country} VAT id", self.vat_id, _vat_validator(self.country))
            object.__setattr__(self, "vat_id", vat_id)
        if self.bank_account is not None:
            account = _checked("bank account", self.bank_account, _bank_validator(self.country))
            object.__setattr__(self, "bank_account", account)
        if self.invoice_email is not None and "@" not in self.invoice_email:
            raise InvalidCompanyDetailsError(
                f"invoice_email {self.invoice_email!r} is not an e-mail address (R26)"
            )
        if self.country not in ORGANISATION_NUMBERS and self.invoice_email is None:
            raise InvalidCompanyDetailsError(
                f"a buyer in {self.country} needs an invoice_email: it is the electronic "
                f"address of its EHF documents (R26; docs/einvoicing.md)"
            )

    def changed(self, **fields: str | None) -> CompanyDetails:
        """Return these details with some fields replaced, validated again."""
        unknown = set(fields) - {f.name for f in attrs.fields(CompanyDetails)}
        if unknown:
            names = ", ".join(sorted(unknown))
            raise InvalidCompanyDetailsError(f"unknown company fields: {names}")
        changes: dict[str, Any] = dict(fields)
        return attrs.evolve(self, **changes)
