"""The command line's arguments: every subcommand, its options and its handler."""

from __future__ import annotations

import argparse
from datetime import date, datetime

from severa_ledger.cli.commands_file import iso_date
from severa_ledger.cli.demo import THROUGH
from severa_ledger.cli.handlers import (
    Handler,
    cmd_apply,
    cmd_bill,
    cmd_demo,
    cmd_export,
    cmd_history,
    cmd_invoice,
    cmd_invoices,
    cmd_licenses,
    cmd_preview,
    cmd_projections_catch_up,
    cmd_projections_follow,
    cmd_projections_rebuild,
    cmd_projections_status,
    cmd_seal,
    cmd_verify,
)
from severa_ledger.domain.errors import InvalidCommandError
from severa_ledger.reader.read_models import POLL_INTERVAL, projections


def _projection_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    group = commands.add_parser("projections", help="the read models (docs/projections.md)",
                                description="the read models (docs/projections.md)")  # fmt: skip
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    _command(actions, "status", cmd_projections_status, "position and lag of each read model")
    _command(actions, "catch-up", cmd_projections_catch_up, "fold every event not yet applied")
    rebuild = _command(actions, "rebuild", cmd_projections_rebuild,
                       "drop a read model and fold it again from the first event")  # fmt: skip
    names = [p.name for p in projections()]
    rebuild.add_argument("name", choices=names, metavar="NAME", help=", ".join(names))
    follow = _command(actions, "follow", cmd_projections_follow,
                      "keep the read models current as other processes record events")  # fmt: skip
    follow.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds (default: at SIGINT or SIGTERM)")  # fmt: skip
    follow.add_argument("--interval", type=float, default=POLL_INTERVAL, metavar="S",
                        help="poll the log every S seconds when no notification comes "
                             f"(default: {POLL_INTERVAL})")  # fmt: skip


def _iso_date(text: str) -> date:
    try:
        return iso_date(text)
    except InvalidCommandError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {text!r}") from None


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    handler: Handler,
    help_text: str,
    formats: tuple[str, ...] = (),
) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="store URL")
    common.add_argument(
        "--format", choices=("table", "json", *formats), default="table", help="output format"
    )
    parser = commands.add_parser(name, parents=[common], help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(
            f"not an ISO date-time with a time zone (e.g. 2025-06-10T12:00:00Z): {text!r}"
        )
    return value


def _known_at(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--known-at", type=_instant, default=None, metavar="INSTANT",
                        help="report only what was recorded by this ISO date-time with a time "
                             "zone (default: everything recorded)")  # fmt: skip


def _as_of(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=_iso_date, default=date.today(), metavar="DATE",
                        help="business date to report as of (default: today)")  # fmt: skip
    _known_at(parser)


def _audit_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    verify = _command(
        commands, "verify", cmd_verify, "check the hash chain, the seal and re-derived documents"
    )
    verify.add_argument(
        "--seal", metavar="FILE_OR_JSON", default=None,
        help="a seal (JSON, or a file holding it) the log must extend",
    )  # fmt: skip
    verify.add_argument(
        "--workers", type=int, default=None, metavar="N",
        help="processes re-deriving documents (default: one per core, up to 4, "
        "from 80,000 events on a file or server store)",
    )  # fmt: skip
    seal = _command(commands, "seal", cmd_seal, "print the chain's head as JSON, to keep apart")
    seal.add_argument(
        "--extend", action="store_true",
        help="first chain the stored events no digest covers (a store older than the chain, "
        "or one whose chain was removed): an explicit re-chain, recorded and shown by verify",
    )  # fmt: skip
    export = commands.add_parser("export", help="write the log as JSON Lines",
                                 description="write the log as JSON Lines")  # fmt: skip
    export.set_defaults(handler=cmd_export)
    export.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="store URL")
    export.add_argument("--format", choices=("jsonl",), default="jsonl", help="output format")
    export.add_argument("--customer", metavar="CUSTOMER", default=None, help="one customer only")
    export.add_argument("--from", dest="since", type=_iso_date, default=None, metavar="DATE",
                        help="events effective on or after DATE")  # fmt: skip
    export.add_argument("--to", dest="until", type=_iso_date, default=None, metavar="DATE",
                        help="events effective on or before DATE")  # fmt: skip
    export.add_argument("--output", metavar="FILE", default=None, help="file (default: stdout)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``severa-ledger``."""
    parser = argparse.ArgumentParser(
        prog="severa-ledger",
        description="Seat-based subscription billing as an event-sourced, auditable ledger.",
    )
    parser.add_argument("--db", metavar="URL", default=None,
                        help="store URL (default: $SEVERA_LEDGER_DB or "
                             "sqlite:///severa-ledger.db)")  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _command(commands, "apply", cmd_apply, "apply a JSON Lines command file").add_argument(
        "file", metavar="FILE", help="the command file, or - for stdin"
    )
    for name, handler, help_text in (
        ("licenses", cmd_licenses, "license counts of a customer"),
        ("preview", cmd_preview, "the upcoming cost of a customer's next period"),
    ):
        sub = _command(commands, name, handler, help_text)
        sub.add_argument("customer", metavar="CUSTOMER")
        _as_of(sub)
    history = _command(commands, "history", cmd_history, "a customer's audit trail")
    history.add_argument("customer", metavar="CUSTOMER")
    _known_at(history)
    _audit_commands(commands)
    _projection_commands(commands)
    bill = _command(commands, "bill", cmd_bill, "run billing through a date")
    bill.add_argument(
        "--through",
        type=_iso_date,
        default=date.today(),
        metavar="DATE",
        help="bill everything due up to and including DATE (default: today)",
    )
    bill.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes advancing subscriptions (default: one per core, up to 4, "
        "from 2,000 customers on a file or server store)",
    )
    invoices = _command(commands, "invoices", cmd_invoices, "list invoices", ("csv",))
    invoices.add_argument("customer", metavar="CUSTOMER", nargs="?", default=None)
    _as_of(invoices)
    invoice = _command(commands, "invoice", cmd_invoice, "show one whole invoice")
    invoice.add_argument("number", metavar="NUMBER")
    _as_of(invoice)
    demo = _command(commands, "demo", cmd_demo, "load, bill and print the demo scenario")
    demo.add_argument(
        "--through",
        type=_iso_date,
        default=THROUGH,
        metavar="DATE",
        help=f"bill through DATE (default: {THROUGH.isoformat()})",
    )
    return parser
