"""The words of a delivery e-mail, in the document's language (nb, en, fi)."""

from __future__ import annotations

from severa_ledger.domain.delivery import CREDIT_NOTE, INVOICE, ORDER

_NAMES = {
    "nb": {ORDER: "Ordrebekreftelse", INVOICE: "Faktura", CREDIT_NOTE: "Kreditnota"},
    "en": {ORDER: "Order confirmation", INVOICE: "Invoice", CREDIT_NOTE: "Credit note"},
    "fi": {ORDER: "Tilausvahvistus", INVOICE: "Lasku", CREDIT_NOTE: "Hyvityslasku"},
}

_BODIES = {
    "nb": "Hei,\n\nvedlagt er {name} {document} fra {seller}.\n\nVennlig hilsen\n{seller}\n",
    "en": "Hello,\n\nplease find attached {name} {document} from {seller}.\n\n"
    "Kind regards\n{seller}\n",
    "fi": "Hei,\n\nliitteenä {name} {document} / {seller}.\n\nYstävällisin terveisin\n{seller}\n",
}


def subject(language: str, kind: str, document: str, seller: str) -> str:
    """Return the subject line: ``Faktura VSOY-000007, Visma Solutions Oy``."""
    name = _NAMES[language][kind]
    return f"{name} {document}, {seller}"


def body(language: str, kind: str, document: str, seller: str) -> str:
    """Return the plain-text body of the e-mail."""
    name = _NAMES[language][kind]
    lowered = name if language == "en" and kind != ORDER else name.lower()
    return _BODIES[language].format(name=lowered, document=document, seller=seller)
