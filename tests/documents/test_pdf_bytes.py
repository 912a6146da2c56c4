"""Faster PDFs print the same bytes (issue 27, item 5): SHA-256 pinned before the change.

Each case renders one document of the billed demo (tests/documents/pdf_support.py)
and compares the SHA-256 of its PDF with the digest the renderer gave before
the speed work (commit 9636080, typst 0.15.2 with the bundled Inter fonts).
A digest that changes means the output changed: a typst or font upgrade may
do that on purpose, and then the new digests are pinned in the same commit.
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
    "credit-note-en": "1efe2dea2fbe83d5c40813d6b0ddcb474cba05700e320905e6e6632c4e6466fc",
    "credit-note-nb": "03fb61ebf00a1a21cadb2af01a75b0eaaa919cc9297789ad6142bdd6ec27ea6a",
    "invoice-en": "6fb05d98a066e9f5ec572b0b0b8af5558ddb7146dbf471130e32b2ab3ca458c1",
    "invoice-eur-no-payment-details": "96490420e5b9ffb93fbf570d56922e572183f0437dafde3938757a95e4ff3ac9",
    "invoice-fi": "29892c569495bae86f78bb769790bb0199fdca5d88ce3c60a55a61838dcf24d6",
    "invoice-markup-buyer": "19aff66d40b4b07f89a2b27581520be79d2b6147f773f78061c618795c90ab75",
    "invoice-nb": "4ec02c136cf2224dfeea76a6bc00cedc202a7c264be33fc05234d36be7db750d",
    "invoice-non-utf8-xml": "ebc545dbf96e5dbfb00261b15157a8f1c968a3a56b9ec03c7b040324d808d445",
    "invoice-norwegian-seller": "e959f0ce2be13dabbf5efe9854e7581d0fbfead05db25b187884c81b69b56533",
    "invoice-with-xml": "cc2404de06c36fbc2a81a80f4714e6fe5a80a42a34adb393d535f86684897935",
    "long-40-lines-fi": "6323e6236c4f804fc712bab3540d5c0d7581064f19a22ae14613631c2fdea9c6",
    "long-40-lines-nb": "45cf417df47d6d63cd166d13c7189d725ed93d6582b904547bbd2fade6683d58",
    "order-en-date-only": "6e454e968165e2f36ef8f5fdf8ca8c090f01c727c79ea67920227094f0adb5f5",
    "order-fi-with-number": "f86fcf5b874e904b1dcce131b0ed7f3b0addea1883c09606c4c816f5de208927",
    "order-nb-with-number": "dacaacf88afaa7c06265bab9b09847d51fcc33a9a957373f24cf48835540d059",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pdf_bytes_are_those_rendered_before_the_speed_work(case):
    """The document's PDF has the SHA-256 pinned before issue 27's speed work, byte for byte."""
    assert hashlib.sha256(CASES[case]()).hexdigest() == PINNED[case]
