"""Listing and choosing among many deliveries: the ``deliveries`` read model, or folding the log.

Usage: ``python -m benchmarks.delivery_listing [--deliveries 10000] [--store sqlite|postgresql]``
(PostgreSQL: ``--url postgresql://...``, a fresh schema).

Records ``--deliveries`` sent deliveries (each ``DeliveryDue``, ``AttemptStarted``,
``DeliverySucceeded``: three events) and 1% failed ones, then times what every
``deliveries`` and ``deliver`` run does first: list the failed deliveries
(``deliveries --status failed``) and choose the ready ones. Each is timed from
the read model (``projections/deliveries.py``) once caught up, and by folding
every delivery event (what every run did before the read model; what a store
whose read models cannot be written still does). The read model's first
catch-up, a one-time cost, is timed apart.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from severa_ledger import Ledger
from severa_ledger.delivery.queries import deliveries, ready_deliveries
from severa_ledger.domain.delivery import EMAIL, FAILED, INVOICE, LEASE, Delivery
from severa_ledger.store.unit import save

TODAY = date(2025, 6, 30)
NOW = datetime(2025, 6, 30, 9, 0, tzinfo=UTC)
BATCH = 500


def _record(ledger: Ledger, count: int) -> None:
    """Record ``count`` deliveries: every hundredth failed, the others sent."""
    for start in range(0, count, BATCH):
        batch = []
        for n in range(start, min(start + BATCH, count)):
            found = Delivery.due(
                INVOICE,
                f"BENCH-{n:06d}",
                f"C{n % 997}",
                EMAIL,
                recipient="a@example.com",
                due_date=TODAY - timedelta(days=n % 90),
            )
            found.start(TODAY, NOW - timedelta(hours=1))
            if n % 100 == 0:
                found.fail(NOW - timedelta(hours=1), "451 try later")
            else:
                found.succeed(NOW - timedelta(hours=1), "accepted")
            batch.append(found)
        save(ledger, batch)


def _best(what: Callable[[], object], runs: int = 3) -> float:
    """Return the fastest of ``runs`` timings of ``what``, in seconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        what()
        best = min(best, time.perf_counter() - start)
    return best


def _measure(ledger: Ledger, count: int) -> None:
    start = time.perf_counter()
    assert len(deliveries(ledger, status=FAILED)) == (count + 99) // 100  # noqa: S101
    print(f"first catch-up of the read model: {time.perf_counter() - start:.2f} s")
    cases = {
        "deliveries --status failed": lambda: deliveries(ledger, status=FAILED),
        "deliver's ready deliveries": lambda: ready_deliveries(ledger, TODAY, NOW, LEASE),
    }
    for name, what in cases.items():
        modelled = _best(what)
        ledger.read_models_enabled = False
        folded = _best(what)
        ledger.read_models_enabled = True
        print(f"{name}: read model {modelled * 1000:.1f} ms, folding the log {folded:.2f} s")


def main() -> None:
    """Record the deliveries, then time listing and choosing them both ways."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default=None, help="the PostgreSQL store (a fresh schema)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url if args.store == "postgresql" else f"sqlite:///{folder}/ledger.db"
        with Ledger.open(url) as ledger:
            _record(ledger, args.deliveries)
            print(f"{args.deliveries} deliveries ({args.store}), {3 * args.deliveries} events")
            _measure(ledger, args.deliveries)


if __name__ == "__main__":
    main()
