"""``creditable INVOICE``: what remains creditable of an invoice, per line and in total (R33).

And how ``credit`` reports the credit note it issued: the invoice and its date,
the lines it credits and what remains.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command
from severa_ledger.cli.rich_pieces import titled_table

if TYPE_CHECKING:
    from rich.table import Table

    from severa_ledger.domain.credits import Creditable
    from severa_ledger.ledger.ledger import Ledger


def creditable_table(found: Creditable) -> Table:
    """Return one row per invoice line: its net amount, what is credited, what remains."""
    cur = found.currency
    columns = ("line", "description", f"net {cur}", f"credited {cur}", f"remaining {cur}")
    title = f"Creditable of {found.invoice} ({found.issue_date.isoformat()})"
    table = titled_table(title, *columns, right=columns[2:])
    for x in found.lines:
        table.add_row(str(x.line), x.description, str(x.amount), str(x.credited), str(x.remaining))
    return table


def cmd_creditable(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print what remains creditable of an invoice (R33)."""
    found = ledger.creditable(args.number)
    summary = (
        f"{found.remaining} {found.currency} net remains creditable of {found.invoice} "
        f"(credited {found.credited} by {', '.join(found.credit_notes) or 'no credit note'})"
    )
    emit(args, found.as_data(), creditable_table(found), summary)


def credit_report(ledger: Ledger, kw: dict[str, Any], number: str) -> tuple[dict[str, Any], str]:
    """Return what ``credit`` prints: the credit note, the invoice it credits, what remains."""
    note = ledger.invoice(number)
    left = ledger.creditable(kw["number"])
    document = {
        "command": "credit_invoice",
        "invoice_number": kw["number"],
        "invoice_issue_date": left.issue_date,
        "credit_note": number,
        "on": kw["on"],
        "reason": kw["reason"],
        "lines": kw.get("lines"),
        "net": note.net,
        "vat": note.vat,
        "total": note.total,
        "remaining": left.remaining,
    }
    message = (
        f"issued credit note {number} for invoice {kw['number']} of "
        f"{left.issue_date.isoformat()} ({kw['on'].isoformat()}): {kw['reason']}; total "
        f"{note.total} {note.currency}, {left.remaining} {note.currency} net remains creditable"
    )
    return document, message


def add_credit_commands(commands: Subcommands) -> None:
    """Add ``creditable INVOICE``."""
    parser = add_command(
        commands,
        "creditable",
        cmd_creditable,
        "what remains creditable of an invoice, per line (R33)",
        examples=("creditable VSOY-000002", "creditable VSOY-000002 --format json"),
    )
    parser.add_argument("number", metavar="INVOICE")
