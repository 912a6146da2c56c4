"""The write commands, derived from the command catalogue: pay, credit, buy, remove, ...

Every catalogue command with a ``cli`` name becomes a subcommand here: its
positional parameters are positional arguments, the others ``--options``, each
taken as text and read by the catalogue (:mod:`severa_ledger.ledger.catalogue`)
exactly as the command file, the JSON API and the page forms read it. Each
records through its Ledger method exactly once (``--command-id`` makes a
retry safe) and prints what it recorded.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.table import Table

from severa_ledger.cli.credits import add_credit_commands, credit_report
from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command, iso_date_arg
from severa_ledger.cli.words import plural
from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.ledger.catalogue import COMMAND_ID, COMMANDS, Command, Dating, Param
from severa_ledger.ledger.catalogue.credit_lines import CreditLines
from severa_ledger.ledger.catalogue.values import Flag

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger

#: The operator on the command line dates every command with ``--on``.
CLI = Dating("operator")
#: How a positional parameter is shown in the help.
METAVARS = {
    "customer_number": "CUSTOMER",
    "user_id": "USER",
    "invoice_number": "INVOICE",
    "number": "INVOICE",
    "kind": "KIND",
    "quantity": "QUANTITY",
    "amount": "AMOUNT",
}
EXAMPLES: dict[str, tuple[str, ...]] = {
    "pay": ("pay VSOY-000002 185.87 --on 2025-06-20",),
    "credit": (
        'credit VSOY-000002 --reason "seats" --on 2025-06-20',
        'credit VSAS-000003 --line 2:200.00 --reason "two seats" --on 2025-06-20',
    ),
    "resend": ("resend VSOY-000002 --on 2025-06-20", "resend C1-2 --channel email --on 2025-06-20"),
    "buy": ("buy C1 user 2 --on 2025-06-05",),
    "remove": ("remove C1 user 1 --on 2025-05-20",),
    "activate": (
        "activate C1 kari --on 2025-05-02",
        "activate C1 per --on 2025-06-05 --buy-if-needed",
    ),
    "deactivate": ("deactivate C1 ola --on 2025-07-01 --remove-license",),
    "change-company": ('change-company C1 --legal-name "Fjordtech AS" --on 2025-07-01',),
    "change-prices": ("change-prices C1 user=110.00 --effective 2025-08-01 --on 2025-06-20",),
    "migrate": ("migrate C1 --cohort 2025-05-01 --on 2025-03-01",),
    "cancel-change": ("cancel-change C1 removal:2025-08-01:user --on 2025-06-20",),
    "accept-terms": ('accept-terms C1 --version 2025-05 --accepted-by "Kari" --on 2025-05-02',),
    "exchange-rate": ("exchange-rate NOK 11.7125 --on 2025-06-02 --source ECB",),
}
Report = Callable[[Any, argparse.Namespace, dict[str, Any], Any], None]


def _emit(args: argparse.Namespace, document: dict[str, Any], message: str, *more: object) -> None:
    """Print what a write command recorded, or that its command id was recorded before."""
    document["already_recorded"] = replayed = getattr(args, "replayed", False)
    if replayed:
        done = message.removeprefix("recorded ")
        lead = "already recorded " if done != message else "already recorded: "
        message = (
            f"{lead}{done} (command id {args.command_id} was recorded before: nothing new "
            "was recorded)"
        )
    emit(args, document, message, *more)


def _licenses(kwargs: dict[str, Any]) -> str:
    return plural(kwargs["quantity"], f"{kwargs['kind']} license")


def _on(kwargs: dict[str, Any]) -> str:
    return str(kwargs["on"].isoformat())


def _order_lines(order: OrderConfirmation) -> Table:
    cur = order.currency
    table = Table(title=None)
    for column in (
        "description (period)",
        "quantity",
        "unit",
        f"unit price {cur}",
        f"amount {cur}",
    ):
        table.add_column(column, justify="left" if column[0] in "du" else "right")
    for line in order.lines:
        table.add_row(
            line.description, str(line.quantity), line.unit, str(line.unit_price), str(line.amount)
        )
    return table


def _with_order(
    args: argparse.Namespace,
    document: dict[str, Any],
    message: str,
    order: OrderConfirmation | None,
) -> None:
    """Print what was recorded and the order confirmation it created, if any."""
    document["order_confirmation"] = order
    if order is None:
        _emit(args, document, f"{message}; no new order confirmation")
        return
    note = (
        f"{message}; order confirmation {order.sequence} ({order.kind}, "
        f"{order.date.isoformat()}): net {order.net} {order.currency}"
    )
    _emit(args, document, note, _order_lines(order))


def _pay(ledger: Ledger, args: argparse.Namespace, kw: dict[str, Any], _: object) -> None:
    number, amount = kw["invoice_number"], kw["amount"]
    view = ledger.invoice(number, as_of=kw["on"])
    document = {
        "command": "record_payment",
        **kw,
        "status": view.status,
        "paid": view.paid,
        "open": view.open_amount,
    }
    _emit(
        args,
        document,
        f"recorded a payment of {amount} {view.currency} on invoice {number} "
        f"({_on(kw)}): paid {view.paid}, open {view.open_amount}, {view.status}",
    )


def _credit(ledger: Ledger, args: argparse.Namespace, kw: dict[str, Any], number: str) -> None:
    _emit(args, *credit_report(ledger, kw, number))


def _buy(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], order: Any) -> None:  # noqa: ANN401
    message = f"bought {_licenses(kw)} for {kw['customer_number']} on {_on(kw)}"
    _with_order(args, {"command": "buy_licenses", **kw}, message, order)


def _remove(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], drops: Any) -> None:  # noqa: ANN401
    document = {"command": "remove_licenses", **kw, "drops_on": drops}
    _emit(
        args,
        document,
        f"scheduled removing {_licenses(kw)} of {kw['customer_number']}: the "
        f"count drops on {drops.isoformat()}",
    )


def _activate(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], order: Any) -> None:  # noqa: ANN401
    message = f"activated {kw['kind']} {kw['user_id']} of {kw['customer_number']} on {_on(kw)}"
    _with_order(args, {"command": "activate_user", **kw}, message, order)


def _deactivate(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], __: object) -> None:
    removal = "; removing its license is scheduled" if kw["remove_license"] else ""
    _emit(
        args,
        {"command": "deactivate_user", **kw},
        f"deactivated {kw['user_id']} of {kw['customer_number']} on {_on(kw)}{removal}",
    )


def _resend(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], ids: list[str]) -> None:
    document = {"command": "resend_document", **kw, "deliveries": ids}
    message = f"recorded {plural(len(ids), 'new delivery', 'new deliveries')} of {kw['document']}"
    _emit(args, document, f"{message}, due {_on(kw)}; `severa-ledger deliver` sends them")


def _recorded(name: str) -> Report:
    def report(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], result: object) -> None:
        _emit(
            args,
            {"command": name, **kw, "result": result},
            f"recorded {name} for {kw.get('customer_number')} on {_on(kw)}",
        )

    return report


def _rate(_: Ledger, args: argparse.Namespace, kw: dict[str, Any], rate: Any) -> None:  # noqa: ANN401
    _emit(
        args,
        {"command": "record_exchange_rate", **kw},
        f"recorded 1 {rate.base} = {rate.rate} {rate.quote} on {_on(kw)} ({rate.source}) (R32)",
    )


REPORTS: dict[str, Report] = {
    "record_exchange_rate": _rate,
    "record_payment": _pay,
    "credit_invoice": _credit,
    "buy_licenses": _buy,
    "remove_licenses": _remove,
    "activate_user": _activate,
    "deactivate_user": _deactivate,
    "resend_document": _resend,
}


def _given(command: Command, args: argparse.Namespace) -> dict[str, str | None]:
    """Return each parameter's text as given on the command line (None: not given)."""
    given: dict[str, str | None] = {}
    for param in command.params:
        value = getattr(args, param.name, None)
        if isinstance(param.kind, Flag):
            value = "true" if value else None
        if isinstance(value, list):  # a repeated option: --line 3 --line 5:120.00
            value = ",".join(value)
        given[param.name] = value
    return given


def _handler(command: Command) -> Callable[[Ledger, argparse.Namespace], None]:
    def handle(ledger: Ledger, args: argparse.Namespace) -> None:
        kwargs = command.bind_text(_given(command, args), CLI)
        key = None if args.command_id is None else COMMAND_ID.read(args.command_id, json=False)
        before = ledger.recorder.max_notification_id()
        result = getattr(ledger, command.name)(**kwargs, command_id=key)
        args.replayed = key is not None and ledger.recorder.max_notification_id() == before
        REPORTS.get(command.name, _recorded(command.name))(ledger, args, kwargs, result)

    return handle


def _add_param(parser: argparse.ArgumentParser, param: Param) -> None:
    """Add one parameter: positional, a switch (a Flag), or an ``--option`` taken as text."""
    help_text = f"{param.doc}: {param.kind.doc}"
    if param.positional:
        parser.add_argument(
            param.name, metavar=METAVARS.get(param.name, param.name.upper()), help=help_text
        )
        return
    option = "--" + param.name.replace("_", "-")
    if isinstance(param.kind, Flag):
        parser.add_argument(option, dest=param.name, action="store_true", help=param.doc)
        return
    if isinstance(param.kind, CreditLines):
        parser.add_argument(
            "--line", dest=param.name, action="append", metavar="LINE[:AMOUNT]", help=help_text
        )
        return
    parser.add_argument(
        option,
        dest=param.name,
        default=None,
        required=param.required,
        metavar=param.name.upper(),
        help=help_text,
    )


def _scheduled(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the changes scheduled for a later date (R36), each with its id."""
    as_of = args.as_of or date.today()  # noqa: DTZ011 -- the CLI edge reads the clock
    changes = ledger.scheduled_changes(args.customer, as_of=as_of)
    table = Table(title=f"Scheduled changes of {args.customer} as of {as_of.isoformat()}")
    for column in ("id", "takes effect", "what"):
        table.add_column(column)
    for change in changes:
        table.add_row(change.id, change.takes_effect.isoformat(), change.description)
    document = {"customer_number": args.customer, "as_of": as_of, "scheduled": changes}
    emit(args, document, table if changes else "nothing is scheduled for a later date")


def add_scheduled_command(commands: Subcommands) -> None:
    """Add ``scheduled CUSTOMER [--as-of DATE]``: what ``cancel-change`` can cancel."""
    parser = add_command(
        commands,
        "scheduled",
        _scheduled,
        "changes scheduled for a later date, with the ids cancel-change takes (R36)",
        examples=("scheduled C1 --as-of 2025-06-20",),
    )
    parser.add_argument("customer", metavar="CUSTOMER")
    parser.add_argument(
        "--as-of",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="the business date (default: today)",
    )


def add_write_commands(commands: Subcommands) -> None:
    """Add a subcommand for every catalogue command that names one (``Command.cli``)."""
    for command in COMMANDS.values():
        if command.cli is None:
            continue
        parser = add_command(
            commands,
            command.cli,
            _handler(command),
            command.doc,
            examples=EXAMPLES.get(command.cli, ()),
        )
        for param in command.params:
            _add_param(parser, param)
        parser.add_argument("--command-id", default=None, metavar="ID", help=COMMAND_ID.doc)
    add_scheduled_command(commands)
    add_credit_commands(commands)
