"""docs/performance.md, written from the figures of one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.report import MEMORY_NOTE, rows

Figures = dict[str, Any]

BOUNDS = """\
## What bounds the figures

From profiles of these runs (py-spy and pyinstrument, both in the `dev` extra):

* **Recording** is bound by CPU, not by the commit. Each command is one
  transaction, as in the raw limit, but before it commits it loads the
  subscription (two queries, then a replay of its events since the last
  snapshot), decides (the period arithmetic of `domain/periods.py` calls
  `relativedelta` for every period start it needs), encodes its events as
  JSON and extends the hash chain: about 2 ms of CPU, next to a commit that
  costs the raw driver 0.5 to 1.5 ms on this disk.
* **Billing** loads each subscription and each account once a run and keeps
  the number series between chunks. The time left is loading (decoding and
  replaying events; replaying `OrderConfirmed` recomputes the period of each
  line), advancing (period arithmetic), encoding and writing the new events
  with their hash chain, and Python's cycle collector, whose full passes
  grow with the objects the run holds.
* **Reading, catch-up and verify**: eventsourcing's decoding of a stored
  event (`mapper.to_domain_event`: the JSON object hook, the transcodings,
  the event class) costs several times the raw `json.loads`, so anything
  that reads events through it stays well below the raw rate before doing
  any work of its own; catch-up and verify then fold or re-derive every event.
* **Memory**: billing holds each due order and its buyer's details until
  the order's invoice is numbered, because numbers follow one global order
  over the whole run; a run's peak grows with the invoices it issues (a
  year of them, for a run that bills a year), not with the stored history.
"""

METHOD = """\
## How the figures are taken

* **The book** (`benchmarks/book.py`): a deterministic synthetic book, one
  seeded `random.Random` per customer: 60 % monthly and 40 % quarterly periods;
  70 % with Visma Software AS (billed in advance), the rest with Visma
  Solutions Oy (after the period start; a quarter of those Finnish buyers in
  EUR); 85 % live on 2025-01-01 with a 2024 anchor, the rest opened in 2025;
  licenses bought at opening and later, users activated (buying a seat when
  none is free) and deactivated, removals, company-detail and price changes,
  and the migration cohorts of 2025-04-01, 05-01 and 06-01 with terms
  accepted. About 7.8 commands per customer, as `severa-ledger apply` lines.
* **1. Recording**: the book's commands one by one through the public API,
  each its own transaction, on an empty store; next to the raw driver
  committing one row per transaction into a table shaped like the event
  store, with rows as long as the ledger's average event.
* **2. Bulk import**: `apply_commands` (what `severa-ledger apply FILE` runs)
  of the book's JSON Lines file; next to the raw driver inserting as many
  rows as the import recorded events, in batches of the ledger's save size.
* **3. Billing**: the book is loaded through `run_batch`, then
  `run_billing(through=2025-12-31)` bills the year (every period roll,
  renewal, order and invoice) in a fresh child process, on a copy of the
  loaded store for each run, with the worker processes the default uses on a
  file or server store (one per core, up to 4) at every N, so that the sizes
  compare. Documents are order confirmations plus invoices. The exponent b
  fits time = a N^b over the sizes by least squares. Peak memory is the
  billing process's; each worker holds one chunk of 200 customers at a time.
* **4, 5. Catch-up, verify, reading**: on the store billed at the largest N,
  each in a fresh child process: reading every notification through
  eventsourcing (`select_notifications` + `mapper.to_domain_event`),
  `Ledger.verify()` and `Ledger.catch_up()` (from empty: a rebuild) where the
  ledger has them; next to the raw driver paging through the same table in
  notification order with `json.loads` on every state. `benchmarks/projections.py`,
  when present, adds its own catch-up and query figures.
* **6. Memory**: the peak resident set of each child during its task, reset
  after its set-up where Linux allows it (`/proc/self/clear_refs`).
* Every figure is the median of the runs, by wall time; CPU time is shown
  beside it because the machine may be shared: wall time above CPU time is
  time spent waiting (for the disk, or for a core). A billing run's CPU time
  includes its worker processes' (`run_billing` uses one per core from 2,000
  customers), so it can exceed its wall time.
"""


def _table(header: tuple[str, ...], body: list[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in body]
    return [*lines, ""]


def _machine(machine: Figures) -> list[str]:
    keys = (
        "when",
        "cpu",
        "cores",
        "memory",
        "platform",
        "python",
        "sqlite",
        "postgresql",
        "eventsourcing",
        "psycopg",
        "severa_ledger",
        "commit",
        "uncommitted_changes",
        "load_average_at_start",
    )
    return _table(("", ""), [(k, machine[k]) for k in keys if k in machine])


def _billing(billing: Figures) -> list[str]:
    header = (
        "N",
        "wall s",
        "cpu s",
        "runs (wall s)",
        "invoices",
        "orders",
        "events",
        "documents/s",
        "events/s",
        "customers/s",
        "peak RSS MiB",
        "load s",
        "workers",
    )
    body = [
        (
            f"{s['customers']:,}",
            s["wall_s"],
            s["cpu_s"],
            ", ".join(f"{r:.1f}" for r in s["runs"]),
            f"{s['invoices']:,}",
            f"{s['orders']:,}",
            f"{s['events']:,}",
            f"{s['documents_per_s']:,.0f}",
            f"{s['events_per_s']:,.0f}",
            f"{s['customers_per_s']:,.0f}",
            f"{s['peak_rss_mb']:,.0f}",
            (s["setup"] or {}).get("wall_s", "-"),
            s.get("workers", 1),
        )
        for s in billing["sizes"]
    ]
    return _table(header, body)


def _store(kind: str, figures: Figures) -> list[str]:
    lines = [f"## {kind}", ""]
    if figures.get("note"):
        lines += [figures["note"], ""]
    if kind == "memory":
        lines += [f"The {MEMORY_NOTE}.", ""]
    lines += _table(("measurement", "ledger", "raw driver (the limit)", "ratio"), rows(figures))
    if billing := figures.get("billing"):
        lines += [
            (
                f"Billing a year, time ~ N^b: b = {billing['exponent_wall']} on wall time, "
                f"{billing['exponent_cpu']} on CPU time."
            ),
            "",
        ]
        lines += _billing(billing)
    if figures.get("aims"):
        lines += _table(
            ("aim", "figure", "met"),
            [
                (a["aim"], a["figure"], {True: "yes", False: "**no**", None: "-"}[a["met"]])
                for a in figures["aims"]
            ],
        )
    return lines


def write_document(path: Path, document: Figures) -> None:
    """Write the performance document of one run to ``path``."""
    lines = [
        "# Performance",
        "",
        (
            f"Written by `{document['command']}` ({document['mode']} run) on "
            f"{document['machine']['when']}. Do not edit: run it again to refresh."
        ),
        "",
        "```sh",
        "python -m benchmarks --quick                 # under a minute",
        "python -m benchmarks                         # N up to 100,000 on SQLite (long)",
        "python -m benchmarks --store postgresql --customers 10000",
        "```",
        "",
        "## Machine",
        "",
        *_machine(document["machine"]),
    ]
    for kind, figures in document["stores"].items():
        lines += _store(kind, figures)
    lines += [BOUNDS, METHOD]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
