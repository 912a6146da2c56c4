"""``payments import FILE``: a bank statement (camt.054) pays invoices (R34, docs/payments.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import add_command, epilog
from severa_ledger.cli.rich_pieces import titled_table
from severa_ledger.cli.words import plural

if TYPE_CHECKING:
    from rich.table import Table

    from severa_ledger.cli.options import Subcommands
    from severa_ledger.domain.statements import (
        BankTransaction,
        PaymentImport,
    )
    from severa_ledger.ledger.ledger import Ledger

COLUMNS = ("", "bank reference", "booked", "amount", "cur", "invoice", "why")


IMPORT_EXAMPLES = (
    "payments import statement.xml --dry-run",
    "payments import statement.xml --format json",
)


def add_payments_command(commands: Subcommands) -> None:
    """Add ``payments`` and its action ``import``."""
    payments = commands.add_parser(
        "payments",
        help="bank statements that pay invoices (R34)",
        description="bank statements that pay invoices (R34)",
        epilog=epilog(*IMPORT_EXAMPLES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = payments.add_subparsers(dest="payments_command", required=True, metavar="ACTION")
    load = add_command(
        actions,
        "import",
        cmd_payments_import,
        "record a camt.054 statement's incoming credits as payments, once per bank entry",
        examples=IMPORT_EXAMPLES,
    )
    load.add_argument("file", metavar="FILE", help="the camt.054 file, or - for stdin")
    load.add_argument(
        "--dry-run", action="store_true", help="print what would be recorded and record nothing"
    )


def cmd_payments_import(ledger: Ledger, args: argparse.Namespace) -> None:
    """Import a camt.054 file; print what was recorded, already recorded and left out."""
    name = "standard input" if args.file == "-" else args.file
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    report = ledger.import_payments(data, source=name, dry_run=args.dry_run)
    emit(args, report, summary(report), _table(report))


def summary(report: PaymentImport) -> str:
    """Return what an import did (or would do), in one sentence."""
    recorded = "would record" if report.dry_run else "recorded"
    head = "dry run, nothing recorded: " if report.dry_run else ""
    return (
        f"{head}{report.source}: {recorded} {plural(len(report.matched), 'payment')}; "
        f"{len(report.already_recorded)} already recorded, {len(report.unmatched)} unmatched, "
        f"{len(report.skipped)} skipped"
    )


def _cells(transaction: BankTransaction) -> tuple[str, ...]:
    booked = transaction.booking_date
    return (
        transaction.bank_reference or "",
        "" if booked is None else booked.isoformat(),
        str(transaction.amount),
        transaction.currency,
    )


def _table(report: PaymentImport) -> Table:
    """Return one row per transaction: recorded, already recorded, unmatched, skipped."""
    recorded = "would record" if report.dry_run else "recorded"
    rows = [
        *((recorded, p.transaction, p.invoice_number, "") for p in report.matched),
        *(
            ("already recorded", p.transaction, p.invoice_number, "")
            for p in report.already_recorded
        ),
        *(
            ("unmatched", s.transaction, ", ".join(s.invoice_numbers), s.reason)
            for s in report.unmatched
        ),
        *(
            ("skipped", s.transaction, ", ".join(s.invoice_numbers), s.reason)
            for s in report.skipped
        ),
    ]
    table = titled_table(None, *COLUMNS, right=("amount",))
    for status, transaction, invoices, why in rows:
        table.add_row(status, *_cells(transaction), invoices, why)
    return table
