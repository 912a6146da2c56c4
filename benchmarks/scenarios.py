"""The measurements: recording, bulk import, billing, catch-up, verify, memory.

Each ledger figure has its raw-driver counterpart measured in the same run on
the same kind of store (``benchmarks.raw``); the ratio of the two is what
holds from one machine to another.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import raw
from benchmarks.book import BILL_THROUGH, Book, bound, customer_groups
from benchmarks.measure import (
    Stopwatch,
    Timing,
    peak_rss_mb,
    repeat,
    reset_peak_rss,
    rss_mb,
    workers_peak_rss_mb,
)
from benchmarks.stores import Stores, schema_of, sqlite_path
from severa_ledger import Ledger
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.store.unit import MAX_EVENTS_PER_SAVE
from severa_ledger.workers import pool as billing_pool

Figures = dict[str, Any]
# customers per run_batch when loading a book for billing: about 25 events each, so a
# group fits one transaction (MAX_EVENTS_PER_SAVE, 5,000; its commands carry no command_id)
LOAD_GROUP = 150
SINGLE_RUN_ABOVE = 10_000  # customers: billing runs this large are measured once


def _figures(timing: Timing, unit: str) -> Figures:
    return {
        f"{unit}_per_s": round(timing.rate, 1),
        "count": timing.count,
        "wall_s": round(timing.wall, 3),
        "cpu_s": round(timing.cpu, 3),
        **timing.extra,
    }


def _ratio(ledger: float, limit: float) -> float | None:
    return round(ledger / limit, 3) if limit else None


def state_size(ledger: Ledger) -> int:
    """Return the average stored state length of a ledger's events, in bytes."""
    total = count = last = 0
    while notes := ledger.recorder.select_notifications(
        start=last, limit=raw.PAGE, inclusive_of_start=False
    ):
        total += sum(len(n.state) for n in notes)
        count += len(notes)
        last = notes[-1].id
    return round(total / count) if count else 0


# ------------------------------------------------------------- raw limits


def raw_commits(stores: Stores, count: int, size: int, rows: int = 1) -> Timing:
    """Return the raw driver committing ``count`` transactions of ``rows`` rows each."""
    return _raw_on_fresh_store(stores, raw.pg_commits, raw.sqlite_commits, count, size, rows)


def raw_batches(stores: Stores, count: int, size: int) -> Timing:
    """Return the raw driver inserting ``count`` rows in the ledger's save-sized batches."""
    return _raw_on_fresh_store(
        stores, raw.pg_batches, raw.sqlite_batches, count, size, MAX_EVENTS_PER_SAVE
    )


def _raw_on_fresh_store(
    stores: Stores, on_pg: Callable[..., Timing], on_sqlite: Callable[..., Timing], *args: int
) -> Timing:
    """Run a raw measurement on a new store of the run's kind (a schema or a file), then drop it."""
    url = stores.fresh("raw")
    try:
        if stores.kind == "postgresql":
            return on_pg(schema_of(url), *args)
        return on_sqlite(":memory:" if stores.kind == "memory" else sqlite_path(url), *args)
    finally:
        stores.drop(url)


def raw_read(stores: Stores, url: str) -> Timing | None:
    """Return the raw driver reading and decoding every event of the store at ``url``."""
    if stores.kind == "sqlite":
        return raw.sqlite_read(sqlite_path(url))
    if stores.kind == "postgresql":
        return raw.pg_read(schema_of(url))
    return None  # the memory store has no driver


# -------------------------------------------------------------- recording


def recording(stores: Stores, book: Book, runs: int) -> Figures:
    """Commands per second through the public API, one command per transaction."""
    calls = book.calls()
    sizes: list[int] = []

    def run(_: int) -> Timing:
        url = stores.fresh("record")
        with Ledger.open(url) as ledger:
            with Stopwatch() as watch:
                for call in calls:
                    call(ledger)
            events = ledger.recorder.max_notification_id() or 0
            sizes.append(state_size(ledger))
        stores.drop(url)
        return watch.timing(len(calls), events=events)

    ledger = repeat(runs, run)
    limit = repeat(runs, lambda _: raw_commits(stores, len(calls), sizes[-1]))
    rows = max(1, round(ledger.extra["events"] / len(calls)))
    same = repeat(runs, lambda _: raw_commits(stores, len(calls), sizes[-1], rows))
    return {
        "customers": book.customers,
        "commands": len(calls),
        "events": ledger.extra["events"],
        "state_bytes": sizes[-1],
        "ledger": _figures(ledger, "commands"),
        "raw": _figures(limit, "commits"),
        "ratio": _ratio(ledger.rate, limit.rate),
        "raw_same_rows": {"rows_per_commit": rows, **_figures(same, "commits")},
        "ratio_same_rows": _ratio(ledger.rate, same.rate),
    }


# ------------------------------------------------------------ bulk import


def bulk_import(stores: Stores, book: Book, runs: int) -> Figures:
    """``severa-ledger apply`` of the book's command file, next to raw batched inserts."""
    path = stores.folder / f"book-{book.customers}.jsonl"
    path.write_text(book.jsonl(), encoding="utf-8")
    sizes: list[int] = []

    def run(_: int) -> Timing:
        url = stores.fresh("import")
        with Ledger.open(url) as ledger:
            with Stopwatch() as watch:
                report = apply_commands(ledger, Path(path).read_text(encoding="utf-8-sig"))
            sizes.append(state_size(ledger))
        stores.drop(url)
        return watch.timing(report.lines, events=report.events)

    ledger = repeat(runs, run)
    events = ledger.extra["events"]
    limit = repeat(runs, lambda _: raw_batches(stores, events, sizes[-1]))
    events_per_s = events / ledger.wall
    return {
        "customers": book.customers,
        "commands": ledger.count,
        "events": events,
        "state_bytes": sizes[-1],
        "file_bytes": path.stat().st_size,
        "ledger": {**_figures(ledger, "commands"), "events_per_s": round(events_per_s, 1)},
        "raw": _figures(limit, "rows"),
        "batch_rows": MAX_EVENTS_PER_SAVE,
        "ratio": _ratio(events_per_s, limit.rate),
    }


# ---------------------------------------------------------------- billing


def load_book(ledger: Ledger, customers: int) -> Timing:
    """Load the book of ``customers`` customers through ``run_batch``, group by group."""
    commands = 0
    with Stopwatch() as watch:
        for group in customer_groups(customers, LOAD_GROUP):
            calls = [functools.partial(bound(c), ledger) for c in group]
            ledger.run_batch(list(calls))
            commands += len(calls)
    return watch.timing(commands)


def work_in_child(url: str | None, customers: int, tasks: tuple[str, ...]) -> list[Figures]:
    """Open the store (in memory: load the book first, as task "load"), time each task."""
    ledger = Ledger.open(url or "memory://")
    results = []
    if url is None:
        with Stopwatch() as watch:
            loaded = load_book(ledger, customers)
        results.append({"task": "load", **_figures(watch.timing(loaded.count), "commands")})
    for task in tasks:
        reset = reset_peak_rss()
        before = rss_mb()
        with Stopwatch() as watch:
            count, extra = TASKS[task](ledger)
        results.append(
            {
                "task": task,
                **_figures(watch.timing(count, **extra), "things"),
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
                "workers_peak_rss_mb": round(workers_peak_rss_mb(), 1),
                "peak_is_task_only": reset,
            }
        )
    ledger.close()
    return results


def billing_workers(ledger: Ledger) -> int:
    """Return the worker processes every billing size uses: one per core, as the default.

    The same count at every N, so that the exponent measures growth, not the
    switch from one process to several that the default makes at 2,000 customers.
    """
    return billing_pool.worker_count(ledger, billing_pool.PARALLEL_FROM, None)


def _bill(ledger: Ledger) -> tuple[int, Figures]:
    workers = billing_workers(ledger)
    report = ledger.run_billing(through=BILL_THROUGH, workers=workers)
    documents = len(report.invoice_numbers) + report.orders
    return documents, {
        "invoices": len(report.invoice_numbers),
        "orders": report.orders,
        "events": report.events,
        "subscriptions": report.subscriptions,
        "workers": workers,
    }


def _read(ledger: Ledger) -> tuple[int, Figures]:
    count = last = 0
    while notes := ledger.recorder.select_notifications(
        start=last, limit=raw.PAGE, inclusive_of_start=False
    ):
        for note in notes:
            ledger.mapper.to_domain_event(note)
        count += len(notes)
        last = notes[-1].id
    return count, {}


def _verify(ledger: Ledger) -> tuple[int, Figures]:
    report = ledger.verify()  # type: ignore[attr-defined]
    events = ledger.recorder.max_notification_id() or 0
    return events, {"ok": bool(getattr(report, "ok", True)), "report": repr(report)[:200]}


def _catch_up(ledger: Ledger) -> tuple[int, Figures]:
    result = ledger.catch_up()  # type: ignore[attr-defined]
    events = ledger.recorder.max_notification_id() or 0
    return events, {"result": repr(result)[:200]}


TASKS: dict[str, Callable[[Ledger], tuple[int, Figures]]] = {
    "bill": _bill,
    "read": _read,
    "verify": _verify,
    "catch_up": _catch_up,
}
