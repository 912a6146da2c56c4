"""UBL 2.1 namespaces and the few element builders the EHF renderer uses.

Every element is appended in UBL 2.1 schema order by its caller; these
helpers only spell namespaces, attributes and the text of amounts, dates and
rates the same way every time, so the same invoice gives the same bytes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree

from severa_ledger.domain.money import minor_units

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'

Element = etree._Element  # noqa: SLF001 -- lxml's public element type has this name


def root(namespace: str, name: str) -> Element:
    """Return a document root ``name`` in ``namespace``, with the cac and cbc prefixes."""
    return etree.Element(f"{{{namespace}}}{name}", nsmap={None: namespace, "cac": CAC, "cbc": CBC})


def cac(parent: Element, name: str) -> Element:
    """Append and return an aggregate component ``cac:name``."""
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def cbc(parent: Element, name: str, text: str, **attributes: str) -> Element:
    """Append and return a basic component ``cbc:name`` holding ``text``."""
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", attributes)
    element.text = text
    return element


def decimal_text(value: Decimal) -> str:
    """Return a decimal in plain notation without a sign on zero: 25, 25.5, 0."""
    return format(abs(value) if value == 0 else value.normalize(), "f")


def money_text(value: Decimal, currency: str) -> str:
    """Return an amount with exactly the currency's minor unit digits: 185.87, 0.00."""
    quantum = Decimal(1).scaleb(-minor_units(currency))
    text = format(value.quantize(quantum), "f")
    return text[1:] if text.startswith("-") and value == 0 else text


def amount(parent: Element, name: str, value: Decimal, currency: str) -> Element:
    """Append ``cbc:name`` with an amount and its ``currencyID`` (the invoice currency)."""
    return cbc(parent, name, money_text(value, currency), currencyID=currency)


def day(parent: Element, name: str, value: date) -> Element:
    """Append ``cbc:name`` with a date as YYYY-MM-DD (PEPPOL-EN16931-F001)."""
    return cbc(parent, name, value.isoformat())


def to_bytes(document: Element) -> bytes:
    """Return the document as UTF-8 bytes with an XML declaration, indented."""
    return DECLARATION + etree.tostring(document, encoding="UTF-8", pretty_print=True)
