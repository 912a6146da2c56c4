"""Billing a year at growing N, then replaying the billed log (catch-up, verify, reading).

For each N the book is loaded once (``run_batch``, group by group); each
billing run works on a copy of that store in a fresh child process, so its
peak memory is its own. At the largest N the last run bills the loaded store
itself; then, each in a fresh child of its own, the whole log is read, verified
and caught up by the projections (where the ledger has those), and the raw
driver reads the same store. In memory, where nothing outlives its process,
all of that happens in the billing child.
"""

from __future__ import annotations

from typing import Any

from benchmarks.measure import Timing as _Timing
from benchmarks.measure import exponent, in_child, median
from benchmarks.scenarios import SINGLE_RUN_ABOVE, Figures, load_book, raw_read, work_in_child
from benchmarks.stores import Stores
from severa_ledger import Ledger


def replay_tasks() -> tuple[str, ...]:
    """Return the replay tasks this ledger supports: always "read", then verify, catch-up."""
    present = [name for name in ("verify", "catch_up") if hasattr(Ledger, name)]
    return ("read", *present)


def _prepare(stores: Stores, customers: int) -> tuple[str | None, Figures | None]:
    """Return a store holding the book of ``customers`` (None in memory) and its load time."""
    if not stores.copyable:
        return None, None
    url = stores.fresh(f"book-{customers}")
    with Ledger.open(url) as ledger:
        timing = load_book(ledger, customers)
    return url, {
        "commands": timing.count,
        "wall_s": round(timing.wall, 2),
        "commands_per_s": round(timing.rate, 1),
    }


def _summary(customers: int, bills: list[Figures], setup: Figures | None) -> Figures:
    pick = median([_Timing(b["wall_s"], b["cpu_s"], b["count"], b) for b in bills]).extra
    wall = pick["wall_s"]
    return {
        "customers": customers,
        "setup": setup,
        "runs": [b["wall_s"] for b in bills],
        "wall_s": wall,
        "cpu_s": pick["cpu_s"],
        "invoices": pick["invoices"],
        "orders": pick["orders"],
        "documents": pick["count"],
        "events": pick["events"],
        "documents_per_s": round(pick["count"] / wall, 1),
        "invoices_per_s": round(pick["invoices"] / wall, 1),
        "events_per_s": round(pick["events"] / wall, 1),
        "customers_per_s": round(customers / wall, 1),
        "peak_rss_mb": pick["peak_rss_mb"],
        "workers": pick.get("workers", 1),
        "workers_peak_rss_mb": pick.get("workers_peak_rss_mb"),
        "rss_before_mb": pick["rss_before_mb"],
    }


def _bill_runs(
    stores: Stores, customers: int, count: int, *, final: bool
) -> tuple[list[Figures], Figures | None, list[Figures], str | None]:
    """Bill ``count`` times; return the bills, the load figures, replays and billed store.

    With ``final``, the last run bills the loaded store itself; each replay task
    then runs in a fresh child of its own on it (in memory: in the same child).
    """
    prepared, setup = _prepare(stores, customers)
    bills, replays, billed = [], [], None
    for run in range(count):
        last = final and run == count - 1
        url = prepared if last or prepared is None else stores.copy(prepared, "bill")
        tasks = ("bill", *replay_tasks()) if last and prepared is None else ("bill",)
        results = in_child(work_in_child, url, customers, tasks)
        if results[0]["task"] == "load":
            setup = setup or {k: results[0][k] for k in ("count", "wall_s", "commands_per_s")}
            results = results[1:]
        bills.append(results[0])
        if last:
            replays, billed = results[1:], url
        elif url is not None:
            stores.drop(url)
    if billed is not None:
        replays = [in_child(work_in_child, billed, customers, (t,))[0] for t in replay_tasks()]
    elif prepared is not None:
        stores.drop(prepared)
    return bills, setup, replays, billed


def billing(stores: Stores, sizes: list[int], runs: int) -> tuple[Figures, list[Figures], Any]:
    """Bill a year at each N; return the figures, the replay results and the billed store."""
    per_size: list[Figures] = []
    replays: list[Figures] = []
    billed = None
    for customers in sizes:
        count = runs if customers <= SINGLE_RUN_ABOVE else 1
        final = customers == sizes[-1]
        bills, setup, found, url = _bill_runs(stores, customers, count, final=final)
        if final:
            replays, billed = found, url
        per_size.append(_summary(customers, bills, setup))
    walls = [s["wall_s"] for s in per_size]
    cpus = [s["cpu_s"] for s in per_size]
    fit = exponent(sizes, walls)
    cpu_fit = exponent(sizes, cpus)
    figures = {
        "through": "2025-12-31",
        "sizes": per_size,
        "exponent_wall": None if fit is None else round(fit, 3),
        "exponent_cpu": None if cpu_fit is None else round(cpu_fit, 3),
    }
    return figures, replays, billed


def replay(stores: Stores, replays: list[Figures], billed: str | None) -> Figures:
    """Return the replay figures of the billed store next to the raw driver's read."""
    limit = raw_read(stores, billed) if billed is not None else None
    limit_rate = limit.rate if limit else None
    out: Figures = {
        "raw_read": None
        if limit is None
        else {
            "events": limit.count,
            "events_per_s": round(limit.rate, 1),
            "wall_s": round(limit.wall, 3),
            "cpu_s": round(limit.cpu, 3),
        },
    }
    for result in replays:
        rate = result["count"] / result["wall_s"] if result["wall_s"] else 0.0
        out[result["task"]] = {
            "events": result["count"],
            "events_per_s": round(rate, 1),
            "wall_s": result["wall_s"],
            "cpu_s": result["cpu_s"],
            "peak_rss_mb": result["peak_rss_mb"],
            "rss_before_mb": result["rss_before_mb"],
            "ratio_to_raw": round(rate / limit_rate, 3) if limit_rate else None,
            **{k: result[k] for k in ("ok", "report", "result") if k in result},
        }
    for missing in ("verify", "catch_up"):
        out.setdefault(missing, "not available yet")
    return out
