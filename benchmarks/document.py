"""docs/performance.md, written from the figures of one run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.documents_note import DOCUMENTS
from benchmarks.report import MEMORY_NOTE, rows
from benchmarks.web_load import web_lines

Figures = dict[str, Any]

BOUNDS = """\
## What bounds the figures

From profiles of these runs (py-spy, sampling, and cProfile; py-spy and
pyinstrument are in the `dev` extra):

* **Recording** is bound by Python, not by the commit. A command is one
  write transaction, as in the raw limit, and the commit costs what the raw
  driver's does; around it, the command reads the events other writers added
  to its subscription since it was cached (one indexed query in a read
  transaction), decides through eventsourcing's aggregate (the event
  decorators' machinery), encodes about three events as JSON, inserts them
  one statement each, then their digests. That work, about three times the
  commit on a fast disk, is what keeps the ratio near a quarter; the
  aggregate cache, chaining from memory and the month arithmetic each took a
  share of it off. Reaching half the raw rate would take replacing
  eventsourcing's aggregate and save machinery, not tuning it.
* **Billing** runs in worker processes (one per core): phase 1 advances
  subscriptions in the workers; in phase 2 the parent numbers every invoice
  in the global order and records chunk after chunk (inserts, digests,
  commit), while the workers build and encode the next chunk's invoices.
  The parent's recording and the workers' encoding share the two cores;
  encoding an invoice event (about 25 dates, amounts and value objects, each
  through the JSON encoder's callback) is the largest single cost. Above
  10,000 customers, inserting into a store of several GB costs a little
  more per event (random keys in a larger B-tree), hence b slightly above 1.
* **Billing on PostgreSQL** is bound by round trips and the server's share of
  the cores, not by the client: a chunk's aggregates load in two statements
  (last snapshots, then the events after them) and a save's events go in as
  binary column arrays, which took the client's CPU for a year of 2,000
  customers from 14.7 s to 8.7 s (2026-12-08, load average 8-12, wall time
  unchanged at 47 s and 45 s: the cores were the bound). A run shared by
  several processes (`bill --shared`) shares only advancing the
  subscriptions; numbering and issuing (about 0.6 of one process's CPU,
  since the numbering holder loads every subscription again to find what is
  due) run in one holder at a time, so P processes take at best
  0.6 + 0.4 / P of one run.
* **Catch-up and verify** are bound by decoding and folding. Decoding an
  event (dates, amounts and value objects rebuilt) costs more than the raw
  reader's `json.loads`; catch-up then folds it and writes read-model rows
  (SQLite's insert and commit of those rows alone cost about as much as the
  raw read); verify replays every subscription through the domain's own
  commands to re-derive its documents, about three times the raw read, split
  over worker processes (one per core) while the chain is checked.
* **Memory**: the billing parent holds the key of each due order and one
  handle per account; each worker holds the due orders it found until it
  drafts their invoices. Verify streams (its peak does not grow with the
  history).
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
  billing process's, and beside it the largest worker's (each worker holds
  the due orders it found until it drafts their invoices).
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
        "worker peak RSS MiB",
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
            f"{s['workers_peak_rss_mb']:,.0f}" if s.get("workers_peak_rss_mb") else "-",
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
    if web := figures.get("web"):
        lines += web_lines(web)
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
    lines += [DOCUMENTS, BOUNDS, METHOD]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
