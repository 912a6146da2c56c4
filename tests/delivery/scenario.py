"""A customer with three orders and three invoices, and the settings that deliver them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from severa_ledger import Ledger
from severa_ledger.delivery.email import SmtpTransport
from severa_ledger.delivery.peppol import PeppolOutbox
from severa_ledger.delivery.runner import Sending
from severa_ledger.delivery.transport import Transport
from tests.conftest import open_customer

#: Orders on 2025-02-01, 03-10 and 05-01; invoices issued 2025-02-03, 03-17 and 05-05.
ORDERS = {"C1-1": date(2025, 2, 1), "C1-2": date(2025, 3, 10), "C1-3": date(2025, 5, 1)}
INVOICES = {
    "VSOY-000001": date(2025, 2, 3),
    "VSOY-000002": date(2025, 3, 17),
    "VSOY-000003": date(2025, 5, 5),
}
SENDER = "billing@visma.example"


def bill_one_customer(ledger: Ledger, customer: str = "C1") -> None:
    """Record C1's orders and invoices through 2025-06-30 (R13-R15)."""
    open_customer(ledger, customer)
    ledger.buy_licenses(customer, "user", 2, on=date(2025, 2, 1))
    ledger.buy_licenses(customer, "user", 1, on=date(2025, 3, 10))
    ledger.run_billing(through=date(2025, 6, 30))


def settings(smtp_url: str, outbox: Path | None = None) -> dict[str, str]:
    """Return the environment that sends by e-mail (and by Peppol into ``outbox``)."""
    found = {"SEVERA_LEDGER_SMTP_URL": smtp_url, "SEVERA_LEDGER_SMTP_FROM": SENDER}
    if outbox is not None:
        found["SEVERA_LEDGER_PEPPOL_OUTBOX"] = str(outbox)
    return found


def sending(smtp_url: str, outbox: Path | None = None, now: datetime | None = None) -> Sending:
    """Return how a run sends, with a fixed clock."""
    found = settings(smtp_url, outbox)
    transports: dict[str, Transport] = {}
    smtp = SmtpTransport.from_settings(found)
    peppol = PeppolOutbox.from_settings(found)
    for transport in (smtp, peppol):
        if transport is not None:
            transports[transport.channel] = transport
    instant = now or datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    return Sending(transports, lambda: instant)
