"""Fixtures of the document tests: the demo, billed and with a credit note, and its EHF XML."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from severa_ledger import Ledger
from severa_ledger.cli.demo import THROUGH, load_demo
from severa_ledger.documents.ubl import invoice_xml
from severa_ledger.domain.documents import CREDIT_NOTE, Invoice

#: The demo's 2025-06-05 addition for 1002 (R9, R15, R16), credited on 2025-08-20: after the
#: series' latest issue date, 2025-08-04 (R33).
SEED_INVOICE = "VSOY-000007"
CREDIT_DAY = date(2025, 8, 20)


def document_xml(ledger: Ledger, invoice: Invoice) -> bytes:
    """Return the EHF XML of an issued document, a credit note with its invoice's date."""
    if invoice.type_code == CREDIT_NOTE and invoice.credited_invoice:
        credited = ledger.invoice(invoice.credited_invoice)
        return invoice_xml(invoice, credited_issue_date=credited.issue_date)
    return invoice_xml(invoice)


@pytest.fixture(scope="session")
def demo() -> Iterator[Ledger]:
    """The demo billed through 2025-08-31 (as ``severa-ledger demo``), and one credit note."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.run_billing(through=THROUGH)
        ledger.credit_invoice(SEED_INVOICE, reason="seat bought by mistake", on=CREDIT_DAY)
        yield ledger


@pytest.fixture(scope="session")
def demo_documents(demo: Ledger) -> dict[str, bytes]:
    """Every document of the demo, by number, as EHF XML."""
    return {invoice.number: document_xml(demo, invoice) for invoice in demo.invoices()}
