"""Sellers and their bank accounts from a parsed sellers file (docs/sellers.md; R23, R30).

:func:`sellers_from` turns the TOML document's tables into a
:class:`~severa_ledger.domain.sellers.SellerRegistry`: the sellers it names
replace the built-in ones of the same key, the others are kept (stored
subscriptions name them). Every refusal is a
:class:`~severa_ledger.domain.payment_errors.SellersFileError` naming the file, the key
and what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Any, overload

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.no import mva

from severa_ledger.domain import inputs
from severa_ledger.domain.company import ORGANISATION_NUMBERS
from severa_ledger.domain.errors import InvalidTextError, LedgerError
from severa_ledger.domain.language import LANGUAGES
from severa_ledger.domain.money import check_currency
from severa_ledger.domain.payment_errors import SellersFileError
from severa_ledger.domain.references import FINNISH, KID_LENGTHS, SCHEMES, default_scheme
from severa_ledger.domain.sellers import DEFAULT_SELLERS, PaymentDetails, Seller, SellerRegistry

_SELLER_KEYS = {
    *("name", "country", "organisation_number", "vat_id", "address", "foretaksregisteret"),
    *("series", "language", "terms", "email", "accounts"),
}
_ACCOUNT_KEYS = {"currency", "bank", "account", "iban", "bic", "reference", "kid_length"}
_KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_SERIES = re.compile(r"[A-Z]{2,10}")
_COUNTRY = re.compile(r"[A-Z]{2}")
#: The longest text a sellers file may hold in one value (a terms text, an address).
MAX_TEXT = 500


class _Where:
    """A place in the sellers file, for messages: ``sellers.toml: sellers.x.accounts[1].iban``."""

    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path

    def at(self, key: str) -> _Where:
        return _Where(self.source, f"{self.path}.{key}")

    def refuse(self, problem: str) -> SellersFileError:
        return SellersFileError(f"sellers file {self.source}: {self.path}: {problem}")


def _table(where: _Where, value: object, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.refuse(f"must be a table, not {type(value).__name__}")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise where.refuse(f"unknown key {unknown[0]!r}; known: {', '.join(sorted(allowed))}")
    return value


def _text(where: _Where, table: Mapping[str, Any], key: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise where.at(key).refuse(f"must be a text, not {value!r}")
    try:  # printed on every document: no control characters, NFC (domain/inputs.py)
        return inputs.text(value.strip(), "the value", MAX_TEXT)
    except InvalidTextError as error:
        raise where.at(key).refuse(str(error)) from None


def _required(where: _Where, table: Mapping[str, Any], key: str) -> str:
    value = _text(where, table, key)
    if value is None:
        raise where.at(key).refuse("is required")
    return value


def _matching(where: _Where, value: str, pattern: re.Pattern[str], what: str) -> str:
    if not pattern.fullmatch(value):
        raise where.refuse(f"{value!r} is not {what}")
    return value


@overload
def _checked(where: _Where, value: str, validate: Callable[[str], str], what: str) -> str: ...
@overload
def _checked(
    where: _Where, value: str | None, validate: Callable[[str], str], what: str
) -> str | None: ...
def _checked(
    where: _Where, value: str | None, validate: Callable[[str], str], what: str
) -> str | None:
    if value is None:
        return None
    try:
        return validate(value)
    except ValidationError:
        raise where.refuse(f"{value!r} is not a valid {what}") from None


def _scheme(where: _Where, table: Mapping[str, Any], currency: str, country: str) -> str:
    """Return the account's reference scheme; R30's default when it names none."""
    scheme = table.get("reference")
    if scheme is None:
        return default_scheme(currency, country)
    if scheme not in SCHEMES:
        raise where.at("reference").refuse(f"{scheme!r} is not one of {', '.join(SCHEMES)}")
    if scheme == FINNISH and currency != "EUR":
        raise where.at("reference").refuse(f"a Finnish reference is for EUR, not {currency}")
    if scheme.startswith("kid") and currency != "NOK":
        raise where.at("reference").refuse(f"a KID is for NOK accounts, not {currency}")
    return str(scheme)


def _kid_length(where: _Where, table: Mapping[str, Any], scheme: str) -> int | None:
    length = table.get("kid_length")
    if length is None:
        return None
    if not scheme.startswith("kid"):
        raise where.at("kid_length").refuse(f"applies to KID schemes only, not {scheme!r}")
    if type(length) is not int or length not in KID_LENGTHS:
        low, high = KID_LENGTHS[0], KID_LENGTHS[-1]
        raise where.at("kid_length").refuse(f"must be a whole number {low}..{high}, not {length!r}")
    return length


def _account(where: _Where, value: object, country: str) -> tuple[str, PaymentDetails]:
    table = _table(where, value, _ACCOUNT_KEYS)
    currency = _required(where, table, "currency")
    try:
        currency = check_currency(currency)
    except LedgerError as error:
        raise where.at("currency").refuse(str(error)) from None
    iban = _checked(where.at("iban"), _required(where, table, "iban"), stdnum_iban.validate, "IBAN")
    scheme = _scheme(where, table, currency, country)
    details = PaymentDetails(
        bank=_required(where, table, "bank"),
        account=_text(where, table, "account") or stdnum_iban.format(iban),
        iban=iban,
        bic=_checked(where.at("bic"), _text(where, table, "bic"), stdnum_bic.validate, "BIC"),
        reference_scheme=scheme,
        kid_length=_kid_length(where, table, scheme),
    )
    return currency, details


def _accounts(where: _Where, value: object, country: str) -> dict[str, PaymentDetails]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise where.refuse("must be an array of tables ([[sellers.KEY.accounts]])")
    accounts: dict[str, PaymentDetails] = {}
    for n, item in enumerate(value, start=1):
        currency, details = _account(where.at(f"[{n}]"), item, country)
        if currency in accounts:
            raise where.at(f"[{n}]").refuse(f"a second account in {currency}; one per currency")
        accounts[currency] = details
    return accounts


def _vat_id(number: str) -> str:
    """Validate a VAT id with python-stdnum; a Norwegian one keeps its form NO974760673MVA."""
    if number.upper().startswith("NO"):
        return f"NO{mva.validate(number)}"
    return str(eu_vat.validate(number))


def _organisation_number(where: _Where, table: Mapping[str, Any], country: str) -> str | None:
    """Return the organisation number, checked for the countries R26 knows."""
    number = _text(where, table, "organisation_number")
    if number is None or country not in ORGANISATION_NUMBERS:
        return number
    what, validate = ORGANISATION_NUMBERS[country]
    return _checked(where.at("organisation_number"), number, validate, what)


def _language(where: _Where, table: Mapping[str, Any]) -> str | None:
    language = _text(where, table, "language")
    if language is not None and language not in LANGUAGES:
        raise where.at("language").refuse(f"{language!r} is not one of {', '.join(LANGUAGES)}")
    return language


def _email(where: _Where, table: Mapping[str, Any]) -> str | None:
    """Return the seller's sender address, if given: one addr-spec (``billing@example.com``)."""
    value = _text(where, table, "email")
    if value is None:
        return None
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError, HeaderParseError):  # IndexError: a bare "name@"
        address = None
    if address is None or not address.domain or address.addr_spec != value:
        raise where.at("email").refuse(f"{value!r} is not an e-mail address (name@domain)")
    return value


def _register(where: _Where, table: Mapping[str, Any]) -> bool | None:
    value = table.get("foretaksregisteret")
    if value is not None and type(value) is not bool:
        raise where.at("foretaksregisteret").refuse(f"must be true or false, not {value!r}")
    return value


def _seller(where: _Where, key: str, value: object) -> Seller:
    _matching(where, key, _KEY, "a seller key (lower-case letters, digits, dashes)")
    table = _table(where, value, _SELLER_KEYS)
    country = _required(where, table, "country")
    _matching(where.at("country"), country, _COUNTRY, "a two-letter country code")
    series = _required(where, table, "series")
    return Seller(
        key=key,
        name=_required(where, table, "name"),
        country=country,
        vat_id=_checked(where.at("vat_id"), _text(where, table, "vat_id"), _vat_id, "VAT id"),
        business_id=_organisation_number(where, table, country),
        address=_text(where, table, "address"),
        series=_matching(where.at("series"), series, _SERIES, "2 to 10 capital letters"),
        payment=_accounts(where.at("accounts"), table.get("accounts"), country),
        enterprise_register=_register(where, table),
        language=_language(where, table),
        terms=_text(where, table, "terms"),
        email=_email(where, table),
    )


def sellers_from(
    data: Mapping[str, Any], source: str, base: SellerRegistry = DEFAULT_SELLERS
) -> SellerRegistry:
    """Return ``base`` with the sellers of a parsed sellers file (from ``source``) in place."""
    root = _Where(source, "sellers")
    extra = sorted(set(data) - {"sellers"})
    if extra:
        raise _Where(source, extra[0]).refuse("unknown table; the file holds [sellers.KEY] tables")
    tables = data.get("sellers")
    if not isinstance(tables, Mapping) or not tables:
        raise root.refuse("the file names no seller ([sellers.KEY] tables)")
    sellers = dict(base.sellers)
    for key, value in tables.items():
        sellers[key] = _seller(root.at(key), key, value)
    _check_series(root, sellers)
    return SellerRegistry(sellers)


def _check_series(root: _Where, sellers: Mapping[str, Seller]) -> None:
    """Refuse two sellers sharing an invoice series: numbers must name one seller (R17)."""
    owner: dict[str, str] = {}
    for key, seller in sellers.items():
        if seller.series in owner:
            first = owner[seller.series]
            raise (
                root.at(key)
                .at("series")
                .refuse(f"{seller.series!r} is already the series of seller {first!r}")
            )
        owner[seller.series] = key
