"""The command line's arguments: every subcommand, its options, its examples and its handler."""

from __future__ import annotations

import argparse
from datetime import date, datetime
from importlib import metadata

from severa_ledger.cli.demo import THROUGH
from severa_ledger.cli.documents import add_document_commands, force_option
from severa_ledger.cli.handlers import (
    cmd_apply,
    cmd_bill,
    cmd_demo,
    cmd_export,
    cmd_history,
    cmd_init,
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
from severa_ledger.cli.options import Subcommands, add_command, epilog, iso_date_arg
from severa_ledger.cli.web_commands import add_web_commands
from severa_ledger.cli.writes import add_write_commands
from severa_ledger.reader.read_models import POLL_INTERVAL, projections

#: Invoice statuses ``invoices --status`` filters on.
STATUSES = ("open", "paid", "overdue", "credited", "credit_note")


def _projection_commands(commands: Subcommands) -> None:
    group = commands.add_parser(
        "projections", help="the read models (docs/projections.md)",
        description="the read models (docs/projections.md)",
        epilog=epilog("projections status", "projections rebuild receivables"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_command(actions, "status", cmd_projections_status, "position and lag of each read model",
                examples=("projections status --format json",))  # fmt: skip
    add_command(actions, "catch-up", cmd_projections_catch_up, "fold every event not yet applied",
                examples=("projections catch-up",))  # fmt: skip
    rebuild = add_command(actions, "rebuild", cmd_projections_rebuild,
                          "drop a read model and fold it again from the first event",
                          examples=("projections rebuild receivables",))  # fmt: skip
    names = [p.name for p in projections()]
    rebuild.add_argument("name", choices=names, metavar="NAME", help=", ".join(names))
    follow = add_command(actions, "follow", cmd_projections_follow,
                         "keep the read models current as other processes record events",
                         examples=("projections follow --seconds 60",))  # fmt: skip
    follow.add_argument("--seconds", type=float, default=None, metavar="N",
                        help="stop after N seconds (default: at SIGINT or SIGTERM)")  # fmt: skip
    follow.add_argument("--interval", type=float, default=POLL_INTERVAL, metavar="S",
                        help="poll the log every S seconds when no notification comes "
                             f"(default: {POLL_INTERVAL})")  # fmt: skip


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
    parser.add_argument("--as-of", type=iso_date_arg, default=date.today(), metavar="DATE",
                        help="business date to report as of (default: today)")  # fmt: skip
    _known_at(parser)


def _audit_commands(commands: Subcommands) -> None:
    verify = add_command(commands, "verify", cmd_verify,
                         "check the hash chain, the seal and re-derived documents",
                         examples=("verify", "verify --seal seal.json"))  # fmt: skip
    verify.add_argument("--seal", metavar="FILE_OR_JSON", default=None,
                        help="a seal (JSON, or a file holding it) the log must extend")  # fmt: skip
    verify.add_argument("--workers", type=int, default=None, metavar="N",
                        help="processes re-deriving documents (default: one per core, up to 4, "
                        "from 80,000 events on a file or server store)")  # fmt: skip
    seal = add_command(commands, "seal", cmd_seal, "print the chain's head, to keep apart",
                       examples=("seal > seal.json", "seal --format table"),
                       default_format="json")  # fmt: skip
    seal.add_argument("--extend", action="store_true",
                      help="first chain the stored events no digest covers (a store older than "
                      "the chain, or one whose chain was removed): an explicit re-chain, "
                      "recorded and shown by verify")  # fmt: skip
    export = add_command(commands, "export", cmd_export, "write the log as JSON Lines or CSV",
                         examples=("export --output log.jsonl",
                                   "export --format csv --customer C1 --from 2025-06-01"),
                         formats=("jsonl", "csv"), default_format="jsonl")  # fmt: skip
    export.add_argument("--customer", metavar="CUSTOMER", default=None, help="one customer only")
    export.add_argument("--from", dest="since", type=iso_date_arg, default=None, metavar="DATE",
                        help="events effective on or after DATE")  # fmt: skip
    export.add_argument("--to", dest="until", type=iso_date_arg, default=None, metavar="DATE",
                        help="events effective on or before DATE")  # fmt: skip
    export.add_argument("--output", metavar="FILE", default=None, help="file (default: stdout)")
    force_option(export)


def _bill_command(commands: Subcommands) -> None:
    bill = add_command(commands, "bill", cmd_bill, "run billing through a date",
                       examples=("bill --through 2025-06-30 --dry-run",
                                 "bill --through 2025-06-30", "bill --today"))  # fmt: skip
    when = bill.add_mutually_exclusive_group(required=True)
    when.add_argument("--through", type=iso_date_arg, default=None, metavar="DATE",
                      help="bill everything due up to and including DATE")  # fmt: skip
    when.add_argument("--today", action="store_true", help="bill through today's date")
    bill.add_argument("--dry-run", action="store_true",
                      help="print what would be issued (counts per seller, first and last "
                      "numbers, totals) and record nothing")  # fmt: skip
    bill.add_argument("--workers", type=int, default=None, metavar="N",
                      help="processes advancing subscriptions (default: one per core, up to 4, "
                      "from 2,000 customers on a file or server store)")  # fmt: skip


def _invoices_command(commands: Subcommands) -> None:
    invoices = add_command(commands, "invoices", cmd_invoices, "list invoices",
                           examples=("invoices --status overdue --limit 20",
                                     "invoices --customer C1 --from 2025-06-01 --format csv"),
                           formats=("table", "json", "csv"))  # fmt: skip
    invoices.add_argument("customer", metavar="CUSTOMER", nargs="?", default=None,
                          help="one customer only (as --customer)")  # fmt: skip
    invoices.add_argument("--customer", dest="customer_option", metavar="CUSTOMER",
                          default=None, help="one customer only")  # fmt: skip
    invoices.add_argument("--status", choices=STATUSES, default=None, help="only this status")
    invoices.add_argument("--from", dest="since", type=iso_date_arg, default=None,
                          metavar="DATE", help="issued on or after DATE")  # fmt: skip
    invoices.add_argument("--to", dest="until", type=iso_date_arg, default=None, metavar="DATE",
                          help="issued on or before DATE")  # fmt: skip
    invoices.add_argument("--limit", type=_positive, default=None, metavar="N",
                          help="at most N invoices, the first by number")  # fmt: skip
    _as_of(invoices)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number >= 1: {text!r}")
    return int(text)


def _query_commands(commands: Subcommands) -> None:
    for name, handler, help_text in (
        ("licenses", cmd_licenses, "license counts of a customer"),
        ("preview", cmd_preview, "the upcoming cost of a customer's next period"),
    ):
        sub = add_command(commands, name, handler, help_text,
                          examples=(f"{name} C1 --as-of 2025-06-30",))  # fmt: skip
        sub.add_argument("customer", metavar="CUSTOMER")
        _as_of(sub)
    history = add_command(commands, "history", cmd_history, "a customer's audit trail",
                          examples=("history C1", "history C1 --format json"))  # fmt: skip
    history.add_argument("customer", metavar="CUSTOMER")
    _known_at(history)
    _as_of(add_document_commands(commands))


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``severa-ledger``."""
    parser = argparse.ArgumentParser(
        prog="severa-ledger",
        description="Seat-based subscription billing as an event-sourced, auditable ledger.",
        epilog=epilog("demo --db sqlite:///demo.db", "apply --check commands.jsonl",
                      "bill --through 2025-06-30 --dry-run"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s {metadata.version('severa-ledger')}")  # fmt: skip
    parser.add_argument("--db", metavar="URL", default=None,
                        help="store URL (default: $SEVERA_LEDGER_DB or "
                             "sqlite:///severa-ledger.db)")  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    apply = add_command(commands, "apply", cmd_apply, "apply a JSON Lines command file",
                        examples=("apply --check commands.jsonl", "apply commands.jsonl",
                                  "apply - < commands.jsonl"))  # fmt: skip
    apply.add_argument("file", metavar="FILE", help="the command file, or - for stdin")
    apply.add_argument("--check", action="store_true",
                       help="parse and decide every command in memory; record nothing")  # fmt: skip
    _query_commands(commands)
    _audit_commands(commands)
    _projection_commands(commands)
    _bill_command(commands)
    _invoices_command(commands)
    add_write_commands(commands)
    add_web_commands(commands)
    add_command(commands, "init", cmd_init, "create an empty store at --db (the only way, "
                "with demo, that a store is created)",
                examples=("--db sqlite:///ledger.db init",))  # fmt: skip
    demo = add_command(commands, "demo", cmd_demo, "load, bill and print the demo scenario",
                       examples=("demo --db sqlite:///demo.db",))  # fmt: skip
    demo.add_argument("--through", type=iso_date_arg, default=THROUGH, metavar="DATE",
                      help=f"bill through DATE (default: {THROUGH.isoformat()})")  # fmt: skip
    return parser
