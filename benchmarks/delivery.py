"""Delivery throughput: messages per second to a local SMTP server (aiosmtpd) and a Peppol outbox.

Usage: ``python -m benchmarks.delivery [--customers 20] [--store sqlite|memory]``

Prints three figures: a whole ``deliver`` run (follow, render each PDF and EHF,
send, record three events per attempt) by e-mail only; the same by Peppol only
(no PDF); and the SMTP transport alone sending one parcel again and again
(a connection per message, as ``deliver`` does).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from tests.delivery.scenario import SENDER, bill_one_customer
from tests.delivery.servers import SmtpServer

from severa_ledger import Ledger
from severa_ledger.delivery.email import SmtpTransport
from severa_ledger.delivery.peppol import PeppolOutbox
from severa_ledger.delivery.queries import deliveries
from severa_ledger.delivery.runner import Sending, deliver
from severa_ledger.delivery.transport import Transport

TODAY = date(2025, 6, 30)


def _now() -> datetime:
    return datetime.now(UTC)


def _run(ledger: Ledger, transport: Transport) -> tuple[int, float]:
    sending = Sending({transport.channel: transport}, _now)
    start = time.perf_counter()
    report = deliver(ledger, sending, today=TODAY)
    return report.sent, time.perf_counter() - start


def _transport_only(ledger: Ledger, smtp: SmtpTransport, count: int) -> float:
    from severa_ledger.delivery.parcels import document_parcel  # noqa: PLC0415

    view = next(v for v in deliveries(ledger) if v.kind == "invoice" and v.channel == "email")
    parcel = document_parcel(ledger, view)
    start = time.perf_counter()
    for _ in range(count):
        smtp.send(view, parcel)
    return count / (time.perf_counter() - start)


def main() -> None:
    """Bill the customers, then time the deliveries."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=20)
    parser.add_argument("--store", choices=("sqlite", "memory"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, SmtpServer() as server:
        url = "memory://" if args.store == "memory" else f"sqlite:///{folder}/ledger.db"
        settings = {"SEVERA_LEDGER_SMTP_URL": server.url, "SEVERA_LEDGER_SMTP_FROM": SENDER}
        smtp = SmtpTransport.from_settings(settings)
        if smtp is None:
            raise SystemExit("no SMTP settings")
        with Ledger.open(url) as ledger:
            for n in range(args.customers):
                bill_one_customer(ledger, f"C{n + 1}")
            sent, seconds = _run(ledger, smtp)
            rate = sent / seconds
            print(f"deliver, e-mail ({args.store}): {sent} messages, {seconds:.2f} s: {rate:.1f}/s")
            outbox = Path(folder) / "outbox"
            outbox.mkdir()
            sent, seconds = _run(ledger, PeppolOutbox(outbox))
            rate = sent / seconds
            print(
                f"deliver, Peppol ({args.store}): {sent} envelopes, {seconds:.2f} s: {rate:.1f}/s"
            )
            rate = _transport_only(ledger, smtp, 200)
            print(f"SMTP transport alone: {rate:.1f} messages/s (one connection per message)")


if __name__ == "__main__":
    main()
