"""Helpers of the PDF tests: the billed demo, and reading a PDF back with pypdf."""

from __future__ import annotations

import functools
import io
import re
from datetime import date

from pypdf import PdfReader

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo

#: The number the demo's credit note gets: the next in the VSOY series after VSOY-000011.
CREDIT_NOTE = "VSOY-000012"
CREDIT_REASON = "Lisens kjøpt ved en feil"
NBSP = "\u00a0"


@functools.cache
def demo() -> Ledger:
    """Return the demo billed through 2025-08-31, VSOY-000007 credited on 2025-08-20 (R33)."""
    ledger = Ledger.open("memory://")
    load_demo(ledger)
    ledger.run_billing(through=date(2025, 8, 31))
    number = ledger.credit_invoice("VSOY-000007", reason=CREDIT_REASON, on=date(2025, 8, 20))
    assert number == CREDIT_NOTE
    return ledger


def reader(pdf: bytes) -> PdfReader:
    """Return a pypdf reader of ``pdf``."""
    return PdfReader(io.BytesIO(pdf))


def text(pdf: bytes) -> str:
    """Return the text of every page, runs of spaces and line breaks made one space.

    No-break spaces stay: they are part of the locale's number formats.
    """
    pages = "\n".join(page.extract_text() for page in reader(pdf).pages)
    return re.sub(r"[ \n]+", " ", pages)
