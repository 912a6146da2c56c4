"""The commands of ``severa-ledger``: each opens nothing, calls the ledger and renders."""

from __future__ import annotations

import argparse
import itertools
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, cast

from severa_ledger.audit.chain import Seal
from severa_ledger.billing.shared import LEASE
from severa_ledger.cli import (
    output,
    render,
    render_audit,
    render_held,
    render_invoices,
    render_projections,
    rich_pieces,
)
from severa_ledger.cli.commands_file import apply_commands, check_commands
from severa_ledger.cli.demo import load_demo, seed_addition_invoice
from severa_ledger.cli.progress import progress_bar
from severa_ledger.domain.errors import (
    InvalidCommandError,
    SubscriptionExistsError,
)
from severa_ledger.ledger.files import atomic_output
from severa_ledger.ledger.ledger import Ledger

if TYPE_CHECKING:
    from severa_ledger.billing.plan import BillingReport
    from severa_ledger.domain.documents import InvoiceView


Handler = Callable[[Ledger, argparse.Namespace], int | None]


def emit(args: argparse.Namespace, document: object, *renderables: object) -> None:
    """Print ``document`` as JSON with ``--format json``, else the renderables."""
    if args.format == "json":
        print(render.to_json(document))
        return
    console = rich_pieces.console()
    for renderable in renderables:
        console.print(renderable)


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
    """Apply a JSON Lines command file, all-or-nothing (``--check``: decide, record nothing)."""
    text = _read(args.file)
    if args.check:
        report = check_commands(ledger, text)
    else:
        with progress_bar("deciding commands") as progress:
            report = apply_commands(ledger, text, progress)
    emit(args, report, render.apply_summary(report, checked=args.check))


def cmd_licenses(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print license counts per kind."""
    counts = ledger.license_counts(args.customer, as_of=args.as_of, known_at=args.known_at)
    document = {"customer_number": args.customer, "as_of": args.as_of, "licenses": counts}
    emit(args, document, render.licenses_table(args.customer, counts, args.as_of))


def cmd_history(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the customer's recorded facts, oldest first."""
    entries = ledger.history(args.customer, known_at=args.known_at)
    emit(args, entries, render.history_table(args.customer, entries))


def cmd_bill(ledger: Ledger, args: argparse.Namespace) -> None:
    """Run billing through a date (``--today``: today) and print what it recorded.

    With ``--dry-run`` print what it would issue, and record nothing.
    """
    through = date.today() if args.today else args.through
    if args.dry_run:
        preview = ledger.preview_billing(through=through)
        held = render_held.held_back_renderables(preview.held_back)
        emit(args, preview, *render.billing_preview_renderables(preview), *held)
        return
    with progress_bar("billing") as progress:
        if args.shared:
            lease = LEASE if args.lease is None else args.lease
            report = ledger.run_shared_billing(through=through, lease=lease, progress=progress)
        else:
            report = ledger.run_billing(through=through, workers=args.workers, progress=progress)
    held = render_held.held_back_renderables(report.held_back)
    emit(args, report, render.billing_summary(report), *held)


def cmd_preview(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the upcoming cost of the customer's next period."""
    preview = ledger.upcoming_cost(args.customer, as_of=args.as_of, known_at=args.known_at)
    emit(args, preview, *render.preview_renderables(preview))


def _filtered(views: Iterable[InvoiceView], args: argparse.Namespace) -> list[InvoiceView]:
    """Return the invoices with the status and issue dates asked for, at most ``--limit``."""
    kept = (
        v
        for v in views
        if (args.status is None or v.status == args.status)
        and (args.since is None or v.issue_date >= args.since)
        and (args.until is None or v.issue_date <= args.until)
    )
    return list(itertools.islice(kept, args.limit))


#: Rows of the invoices table when no --limit is given (a terminal, not a report).
TABLE_ROWS = 500


def cmd_invoices(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print one row per invoice (filtered), as a table, JSON or CSV."""
    customer = args.customer_option or args.customer
    views = _filtered(ledger.invoices(customer, as_of=args.as_of, known_at=args.known_at), args)
    if args.format == "csv":
        render_invoices.write_invoices_csv(views, sys.stdout)
        return
    if args.format == "json":
        emit(args, [render_invoices.invoice_row(v) for v in views])
        return
    shown = views if args.limit is not None else views[:TABLE_ROWS]
    emit(args, None, render_invoices.invoices_table(shown, args.as_of))
    if len(shown) < len(views):
        print(
            f"showing the first {len(shown):,} of {len(views):,} invoices: --limit N, "
            "a filter (--customer, --status, --from, --to) or --format csv for all"
        )


def _demo_output(ledger: Ledger, report: BillingReport) -> tuple[object, list[object]]:
    """Return the demo's JSON document and its renderables, as of the billing date."""
    through = report.through
    counts = {c: ledger.license_counts(c, as_of=through) for c in ledger.customers()}
    previews = [ledger.upcoming_cost(c, as_of=through) for c in counts]
    views = ledger.invoices(as_of=through)
    number = seed_addition_invoice(ledger)
    addition = ledger.invoice(number, as_of=through) if number else None
    return render.demo_output(report, counts, previews, views, addition)


def cmd_init(ledger: Ledger, args: argparse.Namespace) -> None:
    """Create an empty store at ``--db`` (main opens it creating); say whether it was new."""
    where = args.where
    if args.existed is None:
        message = f"the ledger at {where} is ready (its tables created if they were missing)"
    elif args.existed:
        message = f"a ledger already exists at {where}: nothing was changed"
    else:
        message = f"created an empty ledger at {where}"
    emit(
        args,
        {
            "store": where,
            "created": args.existed is False,
            "subscriptions": len(ledger.customers()),
        },
        message,
    )


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
    emit(args, document, *renderables)


def _seal(text: str) -> Seal:
    """Return the seal given as JSON, or read from the file (``-``: stdin) it names."""
    return Seal.from_json(text if text.lstrip().startswith("{") else _read(text))


def cmd_verify(ledger: Ledger, args: argparse.Namespace) -> int:
    """Check the hash chain (and the seal) and re-derive every document; 1 if anything is off."""
    seal = _seal(args.seal) if args.seal else None
    with progress_bar("re-deriving every document") as progress:
        report = ledger.verify(seal, workers=args.workers, progress=progress, today=date.today())
    emit(args, report, *render_audit.verify_renderables(report))
    return 0 if report.ok else 1


def cmd_seal(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print the chain's head (JSON by default), to keep outside the database."""
    if args.extend:
        chained = ledger.extend_chain()
        print(
            f"re-chained {chained} events that no digest covered (recorded; verify "
            "lists every re-chain)",
            file=sys.stderr,
        )
    seal = ledger.seal()
    if args.format == "table":
        rich_pieces.console().print(render_audit.seal_table(seal))
        return
    print(seal.to_json())


def cmd_export(ledger: Ledger, args: argparse.Namespace) -> None:
    """Write the log as JSON Lines or CSV, to a file or stdout."""
    filters = {"customer_number": args.customer, "since": args.since, "until": args.until}
    found = ledger.export_records(**filters)  # refuses an unknown customer before any output
    if args.output is None:
        if args.format == "csv":
            render_audit.write_events_csv(found, sys.stdout)
        else:
            ledger.export(sys.stdout, **filters)
        return
    path = output.checked_output(
        Path(args.output), force=args.force, store=output.store_files(args.db)
    )
    with atomic_output(path, "w", encoding="utf-8", newline="") as stream:
        text = cast("TextIO", stream)
        if args.format == "csv":
            render_audit.write_events_csv(found, text)
        else:
            ledger.export(text, **filters)


def _folded(ledger: Ledger, args: argparse.Namespace, action: str, events: int) -> None:
    statuses = ledger.read_models.status()
    emit(
        args,
        {"action": action, "events": events, "projections": statuses},
        render_projections.folded_summary(action, events),
        render_projections.projections_table(statuses),
    )


def cmd_projections_status(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print each read model's position and lag."""
    statuses = ledger.read_models.status()
    emit(args, statuses, render_projections.projections_table(statuses))


def cmd_projections_catch_up(ledger: Ledger, args: argparse.Namespace) -> None:
    """Fold every event not yet applied into the read models."""
    _folded(ledger, args, "catch-up", ledger.catch_up())


def cmd_projections_rebuild(ledger: Ledger, args: argparse.Namespace) -> None:
    """Drop one read model and fold it again from the first event."""
    with progress_bar(f"rebuilding {args.name}") as progress:
        events = ledger.read_models.rebuild(args.name, progress)
    _folded(ledger, args, f"rebuild {args.name}", events)


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
