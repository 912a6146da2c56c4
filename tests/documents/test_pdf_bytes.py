"""Faster PDFs print the same bytes (issue 27, item 5): SHA-256 pinned before the change.

Each case renders one document of the billed demo (tests/documents/pdf_support.py)
and compares the SHA-256 of its PDF with the digest the renderer gave before
the speed work (commit 9636080, typst 0.15.2 with the bundled Inter fonts).
A digest that changes means the output changed: a typst or font upgrade may
do that on purpose, and then the new digests are pinned in the same commit.
Re-pinned once on purpose, after the speed work: the payment reference is named
by its scheme ("KID"), credit notes show the credited invoice's date (R33) and the
attached EHF's note is in the buyer's language. With the "KID" label reverted, 12
of the 15 cases printed the digests taken before the speed work; the other three
(the credit notes and the invoice with its XML) changed with the other two.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import attrs
import pytest

from severa_ledger.documents.pdf import invoice_pdf, order_pdf
from severa_ledger.domain.sellers import VISMA_SOLUTIONS_OY
from tests.documents.pdf_support import CREDIT_NOTE, demo
from tests.documents.test_pdf_long import _long_invoice

SEED = "VSOY-000007"


def _seed_order_pdf(language: str, invoice_number: str | None) -> bytes:
    order = next(o for o in demo().orders("1002") if o.date == date(2025, 6, 5))
    return order_pdf(
        order,
        seller=VISMA_SOLUTIONS_OY,
        buyer=demo().invoice(SEED).buyer,
        invoice_date=date(2025, 6, 9),
        invoice_number=invoice_number,
        language=language,
    )


def _seed_with_xml() -> bytes:
    return invoice_pdf(demo().invoice(SEED), xml=demo().invoice_xml(SEED))


def _markup_buyer() -> bytes:
    invoice = demo().invoice(SEED)
    buyer = invoice.buyer.changed(legal_name="Fjord & Co #1 *AS* $[x]")
    return invoice_pdf(attrs.evolve(invoice, buyer=buyer))


CASES: dict[str, Callable[[], bytes]] = {
    "invoice-nb": lambda: invoice_pdf(demo().invoice(SEED), language="nb"),
    "invoice-en": lambda: invoice_pdf(demo().invoice(SEED), language="en"),
    "invoice-fi": lambda: invoice_pdf(demo().invoice(SEED), language="fi"),
    "invoice-with-xml": _seed_with_xml,
    "invoice-non-utf8-xml": lambda: invoice_pdf(demo().invoice(SEED), xml=b"<a>\xff</a>"),
    "invoice-eur-no-payment-details": lambda: invoice_pdf(demo().invoice("VSOY-000006")),
    "invoice-norwegian-seller": lambda: invoice_pdf(demo().invoice("VSAS-000014")),
    "invoice-markup-buyer": _markup_buyer,
    "credit-note-nb": lambda: invoice_pdf(demo().invoice(CREDIT_NOTE)),
    "credit-note-en": lambda: invoice_pdf(demo().invoice(CREDIT_NOTE), language="en"),
    "order-nb-with-number": lambda: _seed_order_pdf("nb", SEED),
    "order-en-date-only": lambda: _seed_order_pdf("en", None),
    "order-fi-with-number": lambda: _seed_order_pdf("fi", SEED),
    "long-40-lines-nb": lambda: invoice_pdf(_long_invoice(), language="nb"),
    "long-40-lines-fi": lambda: invoice_pdf(_long_invoice(), language="fi"),
}

PINNED: dict[str, str] = {
    "credit-note-en": "035ec3962417ce34f29c21932bdb38de65f78c75355ea54bc567e94501d97444",
    "credit-note-nb": "35ff3bf38a78bb2eee5b078e21a845ad58dff810f8b9315d66720d202da2ad2d",
    "invoice-en": "587ddb9f8f709f76508c7ff75045aa9eae1fbebfdb4a8c5586069add98a8878c",
    "invoice-eur-no-payment-details": "96490420e5b9ffb93fbf570d56922e572183f0437dafde3938757a95e4ff3ac9",
    "invoice-fi": "9f7a3b7610aefa8525c232138b7e2cf1f9e7a896178a61ef5937c7d4f7add5cf",
    "invoice-markup-buyer": "a9f965a03803b13d2d188e355467446b0ccc011d859f536701ca2af1b68c7d21",
    "invoice-nb": "7d0801522f8854b8d591dd7169453b22bf506e6c707e0448bfbf01c3419fcabe",
    "invoice-non-utf8-xml": "38f37ffdf03d695e89d6477a554b5321cdc86beb60e1f80e2a382184b8f635ce",
    "invoice-norwegian-seller": "e959f0ce2be13dabbf5efe9854e7581d0fbfead05db25b187884c81b69b56533",
    "invoice-with-xml": "afd589ae4367174a97e6b182e648d7e7fbe447069253e6fe13e22b7d5cec6d3e",
    "long-40-lines-fi": "2acf9e61541138e7849aacc45fe9ed6762f0b3529ad8a1c3b2a9c6dfe5145728",
    "long-40-lines-nb": "194212b5b8a42ed36de0efacf0a56ca9d0efb60e7cbea591653d56133d3c90fa",
    "order-en-date-only": "6e454e968165e2f36ef8f5fdf8ca8c090f01c727c79ea67920227094f0adb5f5",
    "order-fi-with-number": "f86fcf5b874e904b1dcce131b0ed7f3b0addea1883c09606c4c816f5de208927",
    "order-nb-with-number": "dacaacf88afaa7c06265bab9b09847d51fcc33a9a957373f24cf48835540d059",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pdf_bytes_are_those_rendered_before_the_speed_work(case):
    """The document's PDF has the SHA-256 pinned before issue 27's speed work, byte for byte."""
    assert hashlib.sha256(CASES[case]()).hexdigest() == PINNED[case]
