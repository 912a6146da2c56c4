"""Read models: catch-up throughput next to the raw log read, and query time against history.

    python -m benchmarks.projections --quick            # SQLite, under a minute
    python -m benchmarks.projections --store sqlite,postgresql

Two measurements, each on a fresh store, in the same run:

* **catch-up**: a book of customers (licenses bought and removed, users
  activated and deactivated, a year billed, most invoices paid) is recorded;
  then, ``runs`` times, every read model is dropped and ``Ledger.catch_up()``
  folds the whole log. Next to it, the raw rate of the same notifications
  (same topics, same pages) read and decoded without projecting, and read
  without decoding. Aim: catch-up at least half the raw (decoded) rate.
* **queries**: ``license_counts`` and ``upcoming_cost`` of a customer with
  about 10 events and of one with about 10,000 (users activated and
  deactivated daily for years), through the read models, and through the
  aggregates (``read_models_enabled = False``) for comparison. The
  read-model time must not grow with the history.

``run(kind, quick, runs)`` returns the figures (``python -m benchmarks``
calls it); ``main`` prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from severa_ledger import CompanyDetails, Ledger

PG = "host=127.0.0.1 port=5432 user=postgres dbname=test"
COMPANY = CompanyDetails(
    legal_name="Fjordtech Consulting AS", org_number="974760673", country="NO",
    street="Storgata 1", postcode="0155", city="Oslo",
)  # fmt: skip
PRICES = {"user": Decimal("100.00"), "storage": Decimal("7.35")}
ANCHOR = date(2024, 1, 1)
QUICK = {"customers": 150, "long": 2_000, "calls": 50}
FULL = {"customers": 1_500, "long": 10_000, "calls": 200}
PAGE = 1000
#: Customers recorded per save while preparing (small: see the report on PostgreSQL saves).
BATCH = 10


@contextmanager
def fresh_store(kind: str) -> Iterator[Callable[[], str]]:
    """Yield a maker of empty store URLs of ``kind``; remove them all at the end."""
    folder = Path(tempfile.mkdtemp(prefix="severa-proj-bench-"))
    schemas: list[str] = []

    def make() -> str:
        if kind == "memory":
            return "memory://"
        if kind == "sqlite":
            return f"sqlite:///{folder / f'{uuid.uuid4().hex}.db'}"
        import psycopg  # noqa: PLC0415 -- optional extra

        schema = f"bench_proj_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        schemas.append(schema)
        return f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"

    try:
        yield make
    finally:
        if schemas:
            import psycopg  # noqa: PLC0415 -- optional extra

            with psycopg.connect(PG, autocommit=True) as conn:
                for schema in schemas:
                    conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def _open(ledger: Ledger, customer: str, rnd: random.Random) -> None:
    ledger.open_subscription(
        customer, company=COMPANY, currency="NOK", period_months=rnd.choice([1, 3]),
        anchor=ANCHOR, prices=PRICES, on=ANCHOR, seller="visma-solutions-oy",
        regime="after_start",
    )  # fmt: skip


def _customer(ledger: Ledger, customer: str, rnd: random.Random) -> list[Callable[[], object]]:
    """Return one customer's year of commands: purchases, users, removals."""
    steps: list[Callable[[], object]] = [lambda: _open(ledger, customer, rnd)]
    day, users, serial = ANCHOR, [], 0
    steps.append(lambda: ledger.buy_licenses(customer, "user", 3, on=ANCHOR))
    for _ in range(rnd.randint(6, 14)):
        day += timedelta(days=rnd.randint(5, 40))
        when, action = day, rnd.choice(["activate", "activate", "deactivate", "buy", "remove"])
        if action == "activate":
            serial += 1
            user = f"{customer}-u{serial}"
            users.append(user)
            steps.append(lambda u=user, d=when: ledger.activate_user(
                customer, u, on=d, buy_if_needed=True))  # fmt: skip
        elif action == "deactivate" and users:
            user = users.pop(0)
            steps.append(lambda u=user, d=when: ledger.deactivate_user(
                customer, u, on=d, remove_license=True))  # fmt: skip
        elif action == "buy":
            steps.append(lambda d=when: ledger.buy_licenses(customer, "storage", 2, on=d))
    return steps


def record_book(ledger: Ledger, customers: int) -> int:
    """Record the book: customers' changes, a year billed, most invoices paid; return events."""
    for first in range(0, customers, BATCH):
        batch = []
        for n in range(first, min(first + BATCH, customers)):
            batch += _customer(ledger, f"B{n:05d}", random.Random(f"book:{n}"))
        ledger.run_batch(batch)
    ledger.run_billing(through=date(2024, 12, 31))
    rnd = random.Random("payments")
    ledger.read_models_enabled = False  # list the invoices without catching up
    payments = [
        (lambda i=i: ledger.record_payment(i.number, i.total, on=i.due_date))
        for i in ledger.invoices()
        if rnd.random() < 0.7
    ]
    ledger.read_models_enabled = True
    for first in range(0, len(payments), BATCH * 5):
        ledger.run_batch(payments[first : first + BATCH * 5])
    return int(ledger.recorder.max_notification_id() or 0)


def read_raw(ledger: Ledger, *, decode: bool) -> int:
    """Read the read models' notifications page by page (decoded or not); return how many."""
    topics = sorted({t for p in ledger.read_models.runner.projections.values() for t in p.topics})
    count, last = 0, 0
    while notes := ledger.recorder.select_notifications(
        start=last, limit=PAGE, topics=topics, inclusive_of_start=False
    ):
        if decode:
            for note in notes:
                ledger.mapper.to_domain_event(note)
        count += len(notes)
        last = notes[-1].id
    return count


def _timed(
    work: Callable[[], int], before: Callable[[], None] | None = None
) -> tuple[float, float]:
    """Return events per second of wall-clock time and of this process's CPU time."""
    if before is not None:
        before()
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    count = work()
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


def catch_up_figures(make: Callable[[], str], customers: int, runs: int) -> dict[str, Any]:
    """Return the catch-up rate next to the raw read rates, on one recorded book.

    The three are measured in turn within each run, so that a busy machine
    slows them alike; each figure is the median of the runs, the ratio is
    the median of the runs' ratios.
    """
    with Ledger.open(make()) as ledger:
        events = record_book(ledger, customers)
        runner = ledger.read_models.runner
        runner.setup()

        def reset() -> None:
            with runner.store.session() as session:
                for projection in runner.projections.values():
                    session.recreate(projection)
                    session.track(projection.name, _zero(projection))

        notifications = read_raw(ledger, decode=False)
        rates: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, (wall, cpu) in (
                ("raw_read", _timed(lambda: read_raw(ledger, decode=False))),
                ("raw_decoded", _timed(lambda: read_raw(ledger, decode=True))),
                ("catch_up", _timed(ledger.catch_up, before=reset)),
            ):
                rates.setdefault(f"{name}_ev_s", []).append(wall)
                rates.setdefault(f"{name}_cpu_ev_s", []).append(cpu)
            rates.setdefault("ratio", []).append(
                rates["catch_up_ev_s"][-1] / rates["raw_decoded_ev_s"][-1])  # fmt: skip
            rates.setdefault("ratio_cpu", []).append(
                rates["catch_up_cpu_ev_s"][-1] / rates["raw_decoded_cpu_ev_s"][-1])  # fmt: skip
    median = {name: statistics.median(values) for name, values in rates.items()}
    return {
        "customers": customers, "events": events, "notifications": notifications,
        **{k: round(v, 3) if k.startswith("ratio") else round(v) for k, v in median.items()},
    }  # fmt: skip


def _zero(projection: Any) -> Any:  # noqa: ANN401 -- a projection
    from severa_ledger.projections.store import Tracking  # noqa: PLC0415

    return Tracking(0, projection.fingerprint)


def long_customer(ledger: Ledger, customer: str, events: int) -> int:
    """Record a customer with at least ``events`` events: users in and out; return them."""
    _open(ledger, customer, random.Random(customer))
    ledger.buy_licenses(customer, "user", 5, on=ANCHOR)
    day, n, recorded = ANCHOR, 0, 3
    while recorded < events:
        steps: list[Callable[[], object]] = []
        for _ in range(min(BATCH * 4, max(1, (events - recorded) // 3))):
            n += 1
            day += timedelta(days=n % 2)
            user = f"{customer}-u{n}"
            steps.append(
                lambda u=user, d=day: ledger.activate_user(customer, u, on=d, buy_if_needed=True)
            )
            steps.append(
                lambda u=user, d=day: ledger.deactivate_user(customer, u, on=d, remove_license=True)
            )
        ledger.run_batch(steps)
        sub = ledger.subscription(customer)
        recorded = sub.version if sub is not None else events
    return recorded


def _median_ms(call: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 3)


def query_figures(make: Callable[[], str], long: int, calls: int) -> dict[str, Any]:
    """Return query times for a customer with ~10 events and one with ~``long``."""
    figures: dict[str, Any] = {}
    with Ledger.open(make()) as ledger:
        sizes = {"short": long_customer(ledger, "Q-SHORT", 10),
                 "long": long_customer(ledger, "Q-LONG", long)}  # fmt: skip
        ledger.catch_up()
        for name, customer in (("short", "Q-SHORT"), ("long", "Q-LONG")):
            last = ledger.subscription(customer)
            as_of = last.last_change + timedelta(days=1) if last else ANCHOR
            row: dict[str, Any] = {"events": sizes[name]}
            for enabled, path in ((True, "read_model"), (False, "aggregate")):
                ledger.read_models_enabled = enabled
                row[f"license_counts_ms_{path}"] = _median_ms(
                    lambda c=customer: ledger.license_counts(c), calls)  # fmt: skip
                row[f"upcoming_cost_ms_{path}"] = _median_ms(
                    lambda c=customer, d=as_of: ledger.upcoming_cost(c, as_of=d), calls
                )
            ledger.read_models_enabled = True
            figures[name] = row
    return figures


def run(kind: str = "sqlite", quick: bool = False, runs: int = 3) -> dict[str, Any]:
    """Return the catch-up and query figures of one store kind."""
    sizes = QUICK if quick else FULL
    kind = "postgresql" if kind == "postgres" else kind
    with fresh_store(kind) as make:
        return {
            "store": kind,
            "catch_up": catch_up_figures(make, sizes["customers"], runs),
            "queries": query_figures(make, sizes["long"], sizes["calls"]),
            "aim": "catch-up >= 0.5 x raw decoded read; query time flat in history",
        }


def print_table(figures: dict[str, Any]) -> None:
    """Print one store's figures."""
    c, q = figures["catch_up"], figures["queries"]
    print(f"\n{figures['store']}: {c['events']} events, {c['notifications']} read by projections")
    print(f"  {'ev/s':<24}{'wall':>10}{'CPU':>10}")
    for label, key in (("raw read (bytes)", "raw_read"), ("raw read (decoded)", "raw_decoded"),
                       ("catch-up", "catch_up")):  # fmt: skip
        print(f"  {label:<24}{c[f'{key}_ev_s']:>10,}{c[f'{key}_cpu_ev_s']:>10,}")
    print(f"  {'catch-up / decoded':<24}{c['ratio']:>10.2f}{c['ratio_cpu']:>10.2f}")
    print(f"  {'query (median ms)':<24}{'short':>10}{'long':>10}   path")
    for path in ("read_model", "aggregate"):
        for query in ("license_counts", "upcoming_cost"):
            key = f"{query}_ms_{path}"
            print(f"  {query:<24}{q['short'][key]:>10}{q['long'][key]:>10}   {path}")
    print(f"  (events: short {q['short']['events']}, long {q['long']['events']})")


def main(argv: list[str] | None = None) -> int:
    """Run on the stores asked for; print tables and one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.projections")
    parser.add_argument("--quick", action="store_true", help="small book, under a minute")
    parser.add_argument("--store", default="sqlite", help="sqlite, postgresql, memory (commas)")
    parser.add_argument("--runs", type=int, default=3, help="runs per rate (median)")
    args = parser.parse_args(argv)
    results = [run(kind, quick=args.quick, runs=args.runs) for kind in args.store.split(",")]
    for figures in results:
        print_table(figures)
    print(json.dumps({"benchmark": "projections", "quick": args.quick, "stores": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
