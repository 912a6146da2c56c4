"""The common writes as commands: pay, credit, buy, remove, activate, deactivate.

Each takes the options of its Ledger method (api.md), records through it
exactly once (``--command-id`` makes a retry safe) and prints what it recorded.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.table import Table

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command, iso_date_arg
from severa_ledger.cli.words import plural

if TYPE_CHECKING:
    from severa_ledger.domain.documents import OrderConfirmation
    from severa_ledger.ledger.ledger import Ledger


def _order(args: argparse.Namespace, document: dict[str, object], message: str,
           order: OrderConfirmation | None) -> None:  # fmt: skip
    """Print what was recorded and the order confirmation it created, if any."""
    document["order_confirmation"] = order
    if order is None:
        emit(args, document, f"{message}; no new order confirmation")
        return
    note = (f"{message}; order confirmation {order.sequence} ({order.kind}, "
            f"{order.date.isoformat()}): net {order.net} {order.currency}")  # fmt: skip
    emit(args, document, note, _order_lines(order))


def _order_lines(order: OrderConfirmation) -> Table:
    cur = order.currency
    table = Table(title=None)
    for column in ("description (period)", "quantity", "unit", f"unit price {cur}",
                   f"amount {cur}"):  # fmt: skip
        table.add_column(column, justify="left" if column[0] in "du" else "right")
    for line in order.lines:
        table.add_row(line.description, str(line.quantity), line.unit, str(line.unit_price),
                      str(line.amount))  # fmt: skip
    return table


def cmd_pay(ledger: Ledger, args: argparse.Namespace) -> None:
    """Record a payment against an invoice; print the invoice's status after it."""
    ledger.record_payment(args.invoice, args.amount, on=args.on, command_id=args.command_id)
    view = ledger.invoice(args.invoice, as_of=args.on)
    document = {"command": "record_payment", "invoice_number": args.invoice,
                "amount": args.amount, "on": args.on, "status": view.status,
                "paid": view.paid, "open": view.open_amount}  # fmt: skip
    emit(args, document, f"recorded a payment of {args.amount} {view.currency} on invoice "
         f"{args.invoice} ({args.on.isoformat()}): paid {view.paid}, open "
         f"{view.open_amount}, {view.status}")  # fmt: skip


def cmd_credit(ledger: Ledger, args: argparse.Namespace) -> None:
    """Issue a credit note for an invoice; print its number."""
    number = ledger.credit_invoice(args.invoice, reason=args.reason, on=args.on,
                                   command_id=args.command_id)  # fmt: skip
    document = {"command": "credit_invoice", "invoice_number": args.invoice,
                "credit_note": number, "on": args.on, "reason": args.reason}  # fmt: skip
    emit(args, document, f"issued credit note {number} for invoice {args.invoice} "
         f"({args.on.isoformat()}): {args.reason}")  # fmt: skip


def _licenses(args: argparse.Namespace) -> str:
    return plural(args.quantity, f"{args.kind} license")


def cmd_buy(ledger: Ledger, args: argparse.Namespace) -> None:
    """Buy licenses; print the order confirmation the purchase created."""
    order = ledger.buy_licenses(args.customer, args.kind, args.quantity, on=args.on,
                                command_id=args.command_id)  # fmt: skip
    document: dict[str, object] = {
        "command": "buy_licenses",
        "customer_number": args.customer,
        "kind": args.kind,
        "quantity": args.quantity,
        "on": args.on,
    }
    _order(args, document, f"bought {_licenses(args)} for {args.customer} on "
           f"{args.on.isoformat()}", order)  # fmt: skip


def cmd_remove(ledger: Ledger, args: argparse.Namespace) -> None:
    """Schedule a license removal; print the day the count drops."""
    drops = ledger.remove_licenses(args.customer, args.kind, args.quantity, on=args.on,
                                   command_id=args.command_id)  # fmt: skip
    document = {
        "command": "remove_licenses",
        "customer_number": args.customer,
        "kind": args.kind,
        "quantity": args.quantity,
        "on": args.on,
        "drops_on": drops,
    }
    emit(args, document, f"scheduled removing {_licenses(args)} of {args.customer}: the count "
         f"drops on {drops.isoformat()}")  # fmt: skip


def cmd_activate(ledger: Ledger, args: argparse.Namespace) -> None:
    """Activate a user; print the order confirmation, if a license was bought with it."""
    order = ledger.activate_user(args.customer, args.user, on=args.on, kind=args.kind,
                                 buy_if_needed=args.buy_if_needed,
                                 command_id=args.command_id)  # fmt: skip
    document: dict[str, object] = {
        "command": "activate_user",
        "customer_number": args.customer,
        "user_id": args.user,
        "kind": args.kind,
        "on": args.on,
    }
    _order(args, document, f"activated {args.kind} {args.user} of {args.customer} on "
           f"{args.on.isoformat()}", order)  # fmt: skip


def cmd_deactivate(ledger: Ledger, args: argparse.Namespace) -> None:
    """Deactivate a user (and, with --remove-license, schedule removing the seat)."""
    ledger.deactivate_user(args.customer, args.user, on=args.on,
                           remove_license=args.remove_license,
                           command_id=args.command_id)  # fmt: skip
    removal = "; removing its license is scheduled" if args.remove_license else ""
    document = {
        "command": "deactivate_user",
        "customer_number": args.customer,
        "user_id": args.user,
        "on": args.on,
        "remove_license": args.remove_license,
    }
    emit(args, document, f"deactivated {args.user} of {args.customer} on "
         f"{args.on.isoformat()}{removal}")  # fmt: skip


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--on", type=iso_date_arg, required=True, metavar="DATE",
                        help="the business date it takes effect (YYYY-MM-DD)")  # fmt: skip
    parser.add_argument("--command-id", default=None, metavar="ID",
                        help="a retry with the same id is recorded once")  # fmt: skip


def _positionals(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    helps = {"customer": "customer number", "kind": "license kind, e.g. user",
             "quantity": "how many licenses", "user": "the user's id",
             "invoice": "invoice number", "amount": "amount paid, e.g. 185.87"}  # fmt: skip
    for name in names:
        parser.add_argument(name, metavar=name.upper(), help=helps[name],
                            type=int if name == "quantity" else str)  # fmt: skip
    _common(parser)
    return parser


def add_write_commands(commands: Subcommands) -> None:
    """Add pay, credit, buy, remove, activate and deactivate."""
    _positionals(add_command(commands, "pay", cmd_pay, "record a payment against an invoice",
                             examples=("pay VSOY-000002 185.87 --on 2025-06-20",)),
                 "invoice", "amount")  # fmt: skip
    credit = add_command(
        commands,
        "credit",
        cmd_credit,
        "issue a credit note for an invoice",
        examples=('credit VSOY-000002 --reason "seats" --on 2025-06-20',),
    )
    credit.add_argument("--reason", required=True, metavar="TEXT", help="shown on the note")
    _positionals(credit, "invoice")
    _positionals(add_command(commands, "buy", cmd_buy, "buy licenses",
                             examples=("buy C1 user 2 --on 2025-06-05",)),
                 "customer", "kind", "quantity")  # fmt: skip
    _positionals(add_command(commands, "remove", cmd_remove, "schedule a license removal",
                             examples=("remove C1 user 1 --on 2025-05-20",)),
                 "customer", "kind", "quantity")  # fmt: skip
    activate = add_command(commands, "activate", cmd_activate, "activate a user",
                           examples=("activate C1 kari --on 2025-05-02",
                                     "activate C1 per --on 2025-06-05 --buy-if-needed"),
                           )  # fmt: skip
    activate.add_argument("--kind", default="user", metavar="KIND",
                          help="license kind the user takes (default: user)")  # fmt: skip
    activate.add_argument("--buy-if-needed", action="store_true",
                          help="buy a license in the same change when none is free")  # fmt: skip
    _positionals(activate, "customer", "user")
    deactivate = add_command(
        commands,
        "deactivate",
        cmd_deactivate,
        "deactivate a user",
        examples=("deactivate C1 ola --on 2025-07-01 --remove-license",),
    )
    deactivate.add_argument("--remove-license", action="store_true",
                            help="also schedule removing the license the user held")  # fmt: skip
    _positionals(deactivate, "customer", "user")
