"""``receivables [CUSTOMER]``: what customers owe and hold as credit, as of a date (R29)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

import attrs

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.render_invoices import invoices_table
from severa_ledger.cli.rich_pieces import titled_table

if TYPE_CHECKING:
    from rich.table import Table

    from severa_ledger.ledger.ledger import Ledger
    from severa_ledger.reader.views import Receivables

#: The statuses of an invoice that still asks for money.
UNPAID = ("open", "overdue")


def _currency(found: Receivables) -> str:
    return found.invoices[0].currency if found.invoices else ""


def _unpaid(found: Receivables) -> int:
    return sum(view.status in UNPAID for view in found.invoices)


def _issued(found: Receivables, args: argparse.Namespace) -> Receivables:
    """Return ``found`` with only the invoices issued by the as-of date."""
    issued = tuple(view for view in found.invoices if view.issue_date <= args.as_of)
    return attrs.evolve(found, invoices=issued)


def receivables_table(rows: list[Receivables], args: argparse.Namespace) -> Table:
    """Return one row per customer: balance, credit and the invoices still unpaid."""
    columns = ("customer", "cur", "balance", "credit", "unpaid invoices")
    title = f"Receivables as of {args.as_of.isoformat()}"
    table = titled_table(title, *columns, right=columns[2:])
    for found in rows:
        cells = (_currency(found), str(found.balance), str(found.credit), str(_unpaid(found)))
        table.add_row(found.customer_number, *cells)
    return table


def cmd_receivables(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one customer's balance, credit and invoices, or every customer's balance."""
    when = {"as_of": args.as_of, "known_at": args.known_at}
    if args.customer is None:
        customers = ledger.customers(known_at=args.known_at)
        rows = [_issued(ledger.receivables(c, **when), args) for c in customers]
        emit(args, rows, receivables_table(rows, args))
        return
    found = _issued(ledger.receivables(args.customer, **when), args)
    owed = (
        f"{args.customer} owes {found.balance} {_currency(found)} and holds {found.credit} "
        f"credit as of {args.as_of.isoformat()}"
    )
    emit(args, found, owed, invoices_table(found.invoices, args.as_of))
