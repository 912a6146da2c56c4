"""The ``severa-ledger`` command: argument parsing, store opening and dispatch.

Every command opens the ledger at ``--db`` (else ``SEVERA_LEDGER_DB``, else the
SQLite file ``severa-ledger.db`` in the current folder), calls one Ledger
command or query and renders the result (:mod:`severa_ledger.render`):
``--format table`` (rich tables) or ``--format json`` (one JSON document,
amounts as strings, ISO 8601 dates). A refusal
(:class:`~severa_ledger.LedgerError`) prints ``error: <message>`` on stderr and
exits with 2. This is the one place that reads the clock: today is the default
``--as-of``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

from severa_ledger import render, render_audit, render_projections
from severa_ledger.application import Ledger
from severa_ledger.audit.chain import Seal
from severa_ledger.commands_file import apply_commands, iso_date
from severa_ledger.demo import THROUGH, load_demo, seed_addition_invoice
from severa_ledger.domain.errors import (
    InvalidCommandError,
    LedgerError,
    SubscriptionExistsError,
)
from severa_ledger.read_models import POLL_INTERVAL, projections

if TYPE_CHECKING:
    from severa_ledger.billing_run import BillingReport

Handler = Callable[[Ledger, argparse.Namespace], int | None]


def _emit(args: argparse.Namespace, document: object, *renderables: object) -> None:
    if args.format == "json":
        print(render.to_json(document))
        return
    console = render.console()
    for renderable in renderables:
        console.print(renderable)


# ------------------------------------------------------------------- commands


def _read(path: str) -> str:
    if path == "-" and not hasattr(sys.stdin, "buffer"):  # a text stream put in its place
        return sys.stdin.read()
    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        name = "standard input" if path == "-" else path
        raise InvalidCommandError(
            f"{name}, line {line}: not UTF-8 text (byte {data[error.start]:#04x} at offset "
            f"{error.start})"
        ) from None


def cmd_apply(ledger: Ledger, args: argparse.Namespace) -> None:
    """Apply a JSON Lines command file, all-or-nothing."""
    report = apply_commands(ledger, _read(args.file))
    _emit(args, report, render.apply_summary(report))


def cmd_licenses(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print license counts per kind."""
    counts = ledger.license_counts(args.customer, as_of=args.as_of, known_at=args.known_at)
    document = {"customer_number": args.customer, "as_of": args.as_of, "licenses": counts}
    _emit(args, document, render.licenses_table(args.customer, counts, args.as_of))


def cmd_history(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the customer's recorded facts, oldest first."""
    entries = ledger.history(args.customer, known_at=args.known_at)
    _emit(args, entries, render.history_table(args.customer, entries))


def cmd_bill(ledger: Ledger, args: argparse.Namespace) -> None:
    """Run billing through a date and print what it recorded."""
    report = ledger.run_billing(through=args.through, workers=args.workers)
    _emit(args, report, render.billing_summary(report))


def cmd_preview(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the upcoming cost of the customer's next period."""
    preview = ledger.upcoming_cost(args.customer, as_of=args.as_of, known_at=args.known_at)
    _emit(args, preview, *render.preview_renderables(preview))


def cmd_invoices(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one row per invoice, as a table, JSON or CSV."""
    views = ledger.invoices(args.customer, as_of=args.as_of, known_at=args.known_at)
    if args.format == "csv":
        render.write_invoices_csv(views, sys.stdout)
        return
    _emit(args, [render.invoice_row(v) for v in views], render.invoices_table(views, args.as_of))


def cmd_invoice(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one whole invoice."""
    view = ledger.invoice(args.number, as_of=args.as_of, known_at=args.known_at)
    _emit(args, view, *render.invoice_renderables(view))


def _demo_output(ledger: Ledger, report: BillingReport) -> tuple[object, list[object]]:
    """Return the demo's JSON document and its renderables, as of the billing date."""
    through = report.through
    counts = {c: ledger.license_counts(c, as_of=through) for c in ledger.customers()}
    previews = [ledger.upcoming_cost(c, as_of=through) for c in counts]
    views = ledger.invoices(as_of=through)
    number = seed_addition_invoice(ledger)
    addition = ledger.invoice(number, as_of=through) if number else None
    return render.demo_output(report, counts, previews, views, addition)


def cmd_demo(ledger: Ledger, args: argparse.Namespace) -> None:
    """Load the demo scenario into an empty store, bill it and print the result."""
    existing = ledger.customers()
    if existing:
        raise SubscriptionExistsError(
            f"this store already holds {len(existing)} subscriptions; the demo never adds "
            f"to existing data: choose an empty store, e.g. --db sqlite:///other.db"
        )
    load_demo(ledger)
    document, renderables = _demo_output(ledger, ledger.run_billing(through=args.through))
    _emit(args, document, *renderables)


def _seal(text: str) -> Seal:
    """Return the seal given as JSON, or read from the file (``-``: stdin) it names."""
    return Seal.from_json(text if text.lstrip().startswith("{") else _read(text))


def cmd_verify(ledger: Ledger, args: argparse.Namespace) -> int:
    """Check the hash chain (and the seal) and re-derive every document; 1 if anything is off."""
    report = ledger.verify(_seal(args.seal) if args.seal else None, workers=args.workers)
    _emit(args, report, *render_audit.verify_renderables(report))
    return 0 if report.ok else 1


def cmd_seal(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the chain's head as JSON, to keep outside the database."""
    if args.extend:
        chained = ledger.extend_chain()
        print(f"re-chained {chained} events that no digest covered (recorded; verify "
              "lists every re-chain)", file=sys.stderr)  # fmt: skip
    print(ledger.seal().to_json())


def cmd_export(ledger: Ledger, args: argparse.Namespace) -> None:
    """Write the log as JSON Lines, to a file or stdout."""
    filters = {"customer_number": args.customer, "since": args.since, "until": args.until}
    if args.output is None:
        ledger.export(sys.stdout, **filters)
        return
    with Path(args.output).open("w", encoding="utf-8") as stream:
        ledger.export(stream, **filters)


def _folded(ledger: Ledger, args: argparse.Namespace, action: str, events: int) -> None:
    statuses = ledger.read_models.status()
    _emit(args, {"action": action, "events": events, "projections": statuses},
          render_projections.folded_summary(action, events),
          render_projections.projections_table(statuses))  # fmt: skip


def cmd_projections_status(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print each read model's position and lag."""
    statuses = ledger.read_models.status()
    _emit(args, statuses, render_projections.projections_table(statuses))


def cmd_projections_catch_up(ledger: Ledger, args: argparse.Namespace) -> None:
    """Fold every event not yet applied into the read models."""
    _folded(ledger, args, "catch-up", ledger.catch_up())


def cmd_projections_rebuild(ledger: Ledger, args: argparse.Namespace) -> None:
    """Drop one read model and fold it again from the first event."""
    _folded(ledger, args, f"rebuild {args.name}", ledger.read_models.rebuild(args.name))


def cmd_projections_follow(ledger: Ledger, args: argparse.Namespace) -> None:
    """Keep the read models current until SIGINT, SIGTERM or ``--seconds``."""
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    deadline = None if args.seconds is None else time.monotonic() + args.seconds

    def should_stop() -> bool:
        return stop.is_set() or (deadline is not None and time.monotonic() >= deadline)

    events = ledger.read_models.follow(should_stop=should_stop, interval=args.interval)
    _folded(ledger, args, "follow", events)


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


# --------------------------------------------------------------------- parser


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


def main(argv: list[str] | None = None) -> int:
    """Run ``severa-ledger``; return the exit code (2: refused; 1: verify found a problem)."""
    args = build_parser().parse_args(argv)
    try:
        with Ledger.open(args.db) as ledger:
            code = args.handler(ledger, args)
    except KeyboardInterrupt:
        print(
            "interrupted: what was committed before stays recorded, nothing is half-recorded; "
            "run the same command again to finish it",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) stopped: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except PersistenceError as error:
        print(f"error: the store could not be used: {error}", file=sys.stderr)
        return 2
    except MapperDeserialisationError as error:
        print(f"error: a stored event could not be read (is SEVERA_LEDGER_CIPHER_KEY the "
              f"store's key?): {error}", file=sys.stderr)  # fmt: skip
        return 2
    except (LedgerError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code or 0


if __name__ == "__main__":
    raise SystemExit(main())
