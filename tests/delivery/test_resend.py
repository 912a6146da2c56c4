"""The resend_document command: a new delivery per channel, or a refusal that records nothing (R35)."""

from __future__ import annotations

from datetime import date

import pytest

from severa_ledger import Ledger
from severa_ledger.delivery.queries import deliveries
from severa_ledger.domain.delivery_errors import NoDeliveryChannelError
from severa_ledger.domain.errors import InvoiceNotFoundError, OrderNotFoundError
from tests.conftest import norwegian_company, open_customer, stored_log
from tests.delivery.scenario import bill_one_customer


def test_r35_a_resend_before_the_issue_date_is_due_on_the_issue_date() -> None:
    """R35: re-sending invoice 2 (issued 2025-03-17) dated 2025-03-01 is due on 2025-03-17."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        ids = ledger.resend_document("VSOY-000002", on=date(2025, 3, 1))
        found = {v.channel: v for v in deliveries(ledger) if str(v.id) in ids}
    assert sorted(found) == ["email", "peppol"]
    assert {v.due_date for v in found.values()} == {date(2025, 3, 17)}
    assert found["peppol"].recipient == "0192:974760673"


def test_r35_an_order_is_resent_by_its_customer_and_sequence() -> None:
    """R35: ``C1-2`` names C1's second order confirmation; it goes by e-mail only."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        ids = ledger.resend_document("C1-2", on=date(2025, 6, 1))
        (view,) = [v for v in deliveries(ledger) if str(v.id) in ids]
    assert (view.kind, view.document, view.channel, view.due_date) == (
        "order",
        "C1-2",
        "email",
        date(2025, 6, 1),
    )


@pytest.mark.parametrize(
    ("document", "error"),
    [("VSOY-000099", InvoiceNotFoundError), ("C1-9", OrderNotFoundError)],
)
def test_resending_an_unknown_document_is_refused_and_records_nothing(
    document: str, error: type[Exception]
) -> None:
    """An unknown invoice number or order is refused with its own error; the log is unchanged."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        before = stored_log(ledger)
        with pytest.raises(error, match=document):
            ledger.resend_document(document, on=date(2025, 6, 1))
        assert stored_log(ledger) == before


def test_r35_resending_to_a_buyer_without_channels_is_refused() -> None:
    """R35: an order confirmation goes by e-mail only: a buyer without an e-mail has no channel."""
    with Ledger.open("memory://") as ledger:
        company = norwegian_company(invoice_email=None)
        open_customer(ledger, "C2", company=company)
        ledger.buy_licenses("C2", "user", 1, on=date(2025, 2, 1))
        ledger.run_billing(through=date(2025, 3, 1))
        before = stored_log(ledger)
        with pytest.raises(NoDeliveryChannelError, match="C2-1"):
            ledger.resend_document("C2-1", on=date(2025, 6, 1))
        assert stored_log(ledger) == before
