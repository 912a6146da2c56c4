"""The delivery commands: ``deliver`` sends what is due, ``deliveries`` lists what was recorded."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command, iso_date_arg
from severa_ledger.cli.progress import progress_bar
from severa_ledger.cli.rich_pieces import titled_table
from severa_ledger.cli.webhooks import webhook_channel
from severa_ledger.cli.words import plural
from severa_ledger.delivery.email import SmtpTransport
from severa_ledger.delivery.peppol import PeppolOutbox
from severa_ledger.delivery.queries import DeliveryView, deliveries
from severa_ledger.delivery.runner import DeliveryReport, Sending, deliver
from severa_ledger.delivery.transport import Transport
from severa_ledger.domain.delivery import LEASE, STATUSES
from severa_ledger.ledger.ledger import Ledger


def _now() -> datetime:
    return datetime.now(UTC)


def transports(settings: dict[str, str]) -> dict[str, Transport]:
    """Return the transports the settings configure, by channel."""
    found: list[Transport | None] = [
        SmtpTransport.from_settings(settings),
        PeppolOutbox.from_settings(settings),
    ]
    return {t.channel: t for t in found if t is not None}


def summary(report: DeliveryReport) -> str:
    """Return what one ``deliver`` did, in one sentence."""
    day = report.today.isoformat()
    if report.dry_run:
        return (
            f"dry run, nothing recorded or sent: on {day}, "
            f"{plural(report.recorded, 'new delivery', 'new deliveries')} would be recorded; "
            f"{plural(len(report.ready), 'delivery', 'deliveries')} would be attempted"
        )
    waiting = (
        f"; {len(report.waiting)} waiting for an unconfigured channel" if report.waiting else ""
    )
    return (
        f"delivered on {day}: {plural(report.recorded, 'new delivery', 'new deliveries')} "
        f"recorded; {plural(len(report.outcomes), 'attempt')}: {report.sent} sent, "
        f"{report.failed} failed (to be retried), {report.dead} dead{waiting}"
    )


def deliveries_table(views: Sequence[DeliveryView], title: str) -> object:
    """Return deliveries as a table: document, channel, recipient, status and the last word."""
    columns = ("document", "channel", "recipient", "#", "due", "status", "attempts", "detail")
    table = titled_table(title, *columns, right=("#", "attempts"))
    for v in views:
        due = v.due_date.isoformat()
        detail = v.error or v.receipt or ""
        row = (v.document, v.channel, v.recipient, str(v.sequence), due, v.status)
        table.add_row(*row, str(v.attempts), detail)
    return table


def _run(ledger: Ledger, args: argparse.Namespace, settings: dict[str, str]) -> DeliveryReport:
    today = args.on or date.today()
    hooks, packers = webhook_channel(ledger, args, _now)
    lease = timedelta(seconds=args.lease)
    sending = Sending({**transports(settings), **hooks}, _now, lease=lease, packers=packers)
    with progress_bar("delivering") as progress:
        return deliver(ledger, sending, today=today, dry_run=args.dry_run, progress=progress)


def cmd_deliver(ledger: Ledger, args: argparse.Namespace) -> None:
    """Record the deliveries due and send them (``--follow``: keep doing it)."""
    settings = dict(os.environ)
    if args.resend:
        ledger.resend_document(args.resend, on=args.on or date.today())
    if not args.follow:
        report = _run(ledger, args, settings)
        views = [o.delivery for o in report.outcomes] or list(report.ready)
        emit(args, report, summary(report), deliveries_table(views, "Deliveries"))
        return
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    while not stop.is_set():
        report = _run(ledger, args, settings)
        if report.outcomes or report.recorded:
            emit(args, report, summary(report))
        stop.wait(args.interval)


def cmd_deliveries(ledger: Ledger, args: argparse.Namespace) -> None:
    """List the recorded deliveries, by status, customer or document."""
    views = deliveries(
        ledger, status=args.status, customer_number=args.customer, document=args.document
    )
    emit(args, views, deliveries_table(views, f"{plural(len(views), 'delivery', 'deliveries')}"))


def add_delivery_commands(commands: Subcommands) -> None:
    """Add ``deliver`` and ``deliveries``."""
    run = add_command(
        commands,
        "deliver",
        cmd_deliver,
        "send every document due by e-mail and Peppol, recording each attempt (R35)",
        examples=("deliver --dry-run", "deliver --today 2025-06-02", "deliver --follow"),
    )
    run.add_argument(
        "--today",
        dest="on",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="the run's date: documents dated after it are not sent (default: today)",
    )
    run.add_argument("--dry-run", action="store_true", help="list what is due; record nothing")
    run.add_argument("--follow", action="store_true", help="keep delivering until interrupted")
    run.add_argument(
        "--interval", type=float, default=30.0, metavar="SECONDS", help="--follow's pause"
    )
    run.add_argument(
        "--resend",
        metavar="DOCUMENT",
        default=None,
        help="first record a re-send of DOCUMENT (an invoice number or CUSTOMER-SEQUENCE)",
    )
    run.add_argument(
        "--lease",
        type=float,
        default=LEASE.total_seconds(),
        metavar="SECONDS",
        help="an attempt with no outcome after this long was abandoned and is retried "
        f"(default {LEASE.total_seconds():.0f})",
    )
    listing = add_command(
        commands,
        "deliveries",
        cmd_deliveries,
        "list recorded deliveries and their status",
        examples=("deliveries --status failed", "deliveries --document VSOY-000001"),
    )
    listing.add_argument("--status", choices=STATUSES, default=None, help="only this status")
    listing.add_argument("--customer", default=None, metavar="CUSTOMER", help="one customer")
    listing.add_argument("--document", default=None, metavar="DOCUMENT", help="one document")
