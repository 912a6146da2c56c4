"""``python -m benchmarks``: measure the ledger next to the raw driver, print, write the doc.

    python -m benchmarks                      # full run on SQLite (N up to 100,000)
    python -m benchmarks --quick              # under a minute, small N
    python -m benchmarks --store postgresql --customers 10000
    python -m benchmarks --store sqlite,postgresql
    python -m benchmarks --items web            # the web app at 30 clients only

It prints one table per store, then one JSON line with every figure and
ratio, and writes ``docs/performance.md`` (``--output``) from the same run. A
``--quick`` run writes the document only when ``--output`` is given, so that
a smoke test does not replace the full figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchmarks import projections_hook
from benchmarks.billing import billing, replay
from benchmarks.book import make_book
from benchmarks.document import write_document
from benchmarks.report import aims, json_line, machine, print_table
from benchmarks.scenarios import bulk_import, recording
from benchmarks.stores import KINDS, Stores
from benchmarks.web import print_figures, web_figures

ITEMS = ("recording", "import", "billing", "web")
FULL = {"customers": 100_000, "record": 400, "import": 1_000, "runs": 3}
QUICK = {"customers": 200, "record": 15, "import": 40, "runs": 3}
QUICK_SCALE = {"postgresql": 0.5}  # a commit and a query cost more there: halve the quick book
SMALLEST = 20  # customers: billing sizes below this say little
DOCUMENT = Path("docs/performance.md")


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Return the command line's options, defaults filled in for a full or quick run."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a run of under a minute")
    parser.add_argument(
        "--store",
        default="sqlite",
        help=f"one of {', '.join(KINDS)}, or several separated by commas",
    )
    parser.add_argument(
        "--customers",
        type=int,
        metavar="N",
        help="the largest N billed (also N/10 and N/100 when at least 20)",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (the median is reported)")
    parser.add_argument(
        "--items",
        default=",".join(ITEMS),
        help=f"what to measure, of {', '.join(ITEMS)} (replay follows billing)",
    )
    parser.add_argument("--output", type=Path, help=f"the document to write (default {DOCUMENT})")
    parser.add_argument(
        "--document-from",
        type=Path,
        metavar="JSON",
        help="measure nothing: write the document from the JSON line of a run (a file)",
    )
    parser.add_argument(
        "--include",
        type=Path,
        metavar="JSON",
        help="the JSON line of an earlier run (a file): its stores not measured now join "
        "the document, each marked as measured separately",
    )
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    args.customers = args.customers or defaults["customers"]
    args.runs = args.runs or defaults["runs"]
    args.record, args.bulk = defaults["record"], defaults["import"]
    args.kinds = args.store.split(",")
    args.items = args.items.split(",")
    if args.output is None and not args.quick:
        args.output = DOCUMENT
    unknown = [k for k in args.kinds if k not in KINDS] + [i for i in args.items if i not in ITEMS]
    if unknown:
        parser.error(f"unknown store or item: {', '.join(unknown)}")
    return args


def sizes(customers: int) -> list[int]:
    """Return the billing sizes: N/100, N/10 and N, those of at least 20 customers."""
    found = {n for n in (customers // 100, customers // 10, customers) if n >= SMALLEST}
    return sorted(found | {customers})


def measure(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Return every figure of one store."""
    figures: dict[str, Any] = {"store": kind, "runs": args.runs}
    scale = QUICK_SCALE.get(kind, 1.0) if args.quick else 1.0
    record, bulk, customers = (
        max(5, round(n * scale)) for n in (args.record, args.bulk, args.customers)
    )
    with Stores(kind) as stores:
        if "recording" in args.items:
            figures["recording"] = recording(stores, make_book(record), args.runs)
        if "import" in args.items:
            figures["import"] = bulk_import(stores, make_book(bulk), args.runs)
        if "billing" in args.items:
            figures["billing"], replays, billed = billing(stores, sizes(customers), args.runs)
            figures["replay"] = replay(stores, replays, billed)
        figures["projections"] = projections_hook.run(stores, args)
    if "web" in args.items and kind != "memory":  # served by processes: a stored ledger
        figures["web"] = web_figures(kind, quick=args.quick)
    figures["aims"] = aims(kind, figures)
    return figures


def command_line(argv: list[str]) -> str:
    """Return the command that measured, without where it wrote or what it included."""
    kept, skip = [], False
    for arg in argv:
        if skip or arg.startswith(("--output", "--include", "--document-from")):
            skip = arg in {"--output", "--include", "--document-from"}
            continue
        kept.append(arg)
    return " ".join(["python -m benchmarks", *kept])


def include(document: dict[str, Any], earlier: dict[str, Any]) -> None:
    """Add the stores of an ``earlier`` run that this one did not measure, each with a note."""
    machine = earlier["machine"]
    for kind, figures in earlier["stores"].items():
        if kind in document["stores"]:
            continue
        version = f", PostgreSQL {machine['postgresql']}" if machine.get("postgresql") else ""
        figures["note"] = (
            f"Measured by a separate run on the same machine, `{earlier['command']}`, on "
            f"{machine['when']} (commit {machine['commit']}, load average at start "
            f"{machine['load_average_at_start']}{version}); its ratios compare with the raw "
            "driver of that run."
        )
        document["stores"][kind] = figures
        if machine.get("postgresql"):
            document["machine"].setdefault("postgresql", machine["postgresql"])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; print tables and the JSON line; write the document."""
    args = parse(argv)
    if args.document_from is not None:
        document: dict[str, Any] = json.loads(args.document_from.read_text())
        args.output = args.output or DOCUMENT
    else:
        document = {
            "mode": "quick" if args.quick else "full",
            "command": command_line(argv if argv is not None else sys.argv[1:]),
            "machine": machine(args.kinds),
            "stores": {},
        }
        for kind in args.kinds:
            document["stores"][kind] = measure(kind, args)
            print_table(kind, document["stores"][kind])
            if "web" in document["stores"][kind]:
                print_figures(document["stores"][kind]["web"])
    if args.include is not None:
        include(document, json.loads(args.include.read_text()))
    print(json_line(document), flush=True)
    if args.output is not None:
        write_document(args.output, document)
        print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
