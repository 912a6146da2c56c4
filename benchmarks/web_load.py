"""The web app at 30 concurrent clients: p50/p99 of API reads and of the paged lists.

``python -m benchmarks.web --clients 30`` and ``python -m benchmarks``'s web
part (item ``web``) use it. Two stores are served in turn by ``severa-ledger
serve --workers N``:

* the demo, billed through 2025-08-31: ``GET /api/v1/subscriptions/1002/licenses``
  (a customer key) and ``GET /api/v1/subscriptions/1002`` (one subscription);
* the demo plus ``--subscriptions`` (100,000 in a full run) subscriptions
  seeded straight into the subscriptions read model (:func:`seed_subscriptions`:
  copies of customer 1002's row, without its migration, under new customer
  numbers 9000000 and up, written through
  the read-model store in one transaction; no events, so it takes seconds, not
  the hour that opening them would): the first page of
  ``GET /api/v1/subscriptions`` (an operator key) and of the operator's page
  ``/operator`` (a session).

Each client is a keep-alive connection sending one request after another
(``asyncio`` and httpx in one thread, so the clients cost the server little);
every request's time is kept, and p50/p99 are their percentiles.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import httpx

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.domain.subscription import subscription_id
from severa_ledger.projections.rows import upsert
from severa_ledger.projections.subscription_rows import SUBSCRIPTIONS
from severa_ledger.web.keys import open_key_store

CUSTOMER = "1002"
READS = {
    "licenses": f"/api/v1/subscriptions/{CUSTOMER}/licenses",
    "subscription": f"/api/v1/subscriptions/{CUSTOMER}",
}
LISTS = {
    "api_list": "/api/v1/subscriptions?limit=100",
    "api_list_last": "/api/v1/subscriptions?limit=100&cursor={last}",
    "operator_page": "/operator",
}
CHUNK = 5_000


def demo_store(url: str) -> None:
    """Load the demo into the empty store at ``url`` and bill it through 2025-08-31."""
    with Ledger.open(url) as ledger:
        load_demo(ledger)
        ledger.run_billing(through=date(2025, 8, 31))
        ledger.catch_up()


def seed_subscriptions(url: str, count: int) -> float:
    """Add ``count`` copies of customer 1002's read-model row (numbers 9000000...); seconds."""
    started = time.perf_counter()
    with Ledger.open(url, create=False) as ledger:
        models = ledger.read_models
        models.catch_up()
        with models.store.reading() as reader:
            template = reader.get(SUBSCRIPTIONS, (str(subscription_id(CUSTOMER)),))
        assert template is not None  # noqa: S101 -- the demo has customer 1002
        for first in range(0, count, CHUNK):
            with models.store.session() as session:
                session.write(
                    upsert(SUBSCRIPTIONS, _copy(template, 9_000_000 + n))
                    for n in range(first, min(first + CHUNK, count))
                )
    return time.perf_counter() - started


def _copy(template: Any, number: int) -> Any:  # noqa: ANN401 -- a SubscriptionRow
    customer = str(number)
    return attrs.evolve(
        template,
        customer_number=customer,
        subscription_id=str(subscription_id(customer)),
        migration=None,  # its terms acceptances are events, which a copy has none of
        migration_cohort=None,
    )


def credentials(url: str, base: str) -> dict[str, dict[str, Any]]:
    """Return the client options of a customer key, an operator key and an operator session."""
    keys, now = open_key_store(url), datetime.now(UTC)
    customer, _ = keys.create(customer_number=CUSTOMER, label="benchmark", now=now)
    operator, principal = keys.create(customer_number=None, label="benchmark", now=now)
    token = keys.issue_login_token(principal, now=now, ttl=timedelta(minutes=5))
    with httpx.Client(base_url=base) as client:
        client.get(f"/login/{token}")
        cookies = dict(client.cookies)
    return {
        "customer": {"headers": {"Authorization": f"Bearer {customer}"}},
        "operator": {"headers": {"Authorization": f"Bearer {operator}"}},
        "session": {"cookies": cookies},
    }


def latencies(
    base: str,
    path: str,
    *,
    clients: int,
    seconds: float,
    **options: Any,  # noqa: ANN401
) -> dict[str, float]:
    """Return p50, p99 (ms) and requests/s of ``clients`` keep-alive clients asking ``path``."""
    times = asyncio.run(_load(base, path, clients, seconds, options))
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {
        "clients": clients,
        "requests": len(times),
        "rps": round(len(times) / seconds, 1),
        "p50_ms": round(cuts[49], 1),
        "p99_ms": round(cuts[98], 1),
    }


async def _load(
    base: str, path: str, clients: int, seconds: float, options: dict[str, Any]
) -> list[float]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60, **options) as client:
        await asyncio.gather(*(client.get(path) for _ in range(clients)))  # connect, warm up
        stop = time.monotonic() + seconds

        async def one_client() -> None:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = await client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: {response.status_code}")

        await asyncio.gather(*(one_client() for _ in range(clients)))
    return times


def web_lines(web: dict[str, Any]) -> list[str]:
    """Return the web figures of one store as the performance document's table."""
    lines = [
        (
            f"The web app (`serve --workers {web['serve_workers']}`, "
            f"{web['subscriptions']:,} subscriptions in the read model, seeded in "
            f"{web['seed_seconds']} s; `benchmarks/web_load.py`):"
        ),
        "",
        "| request | clients | p50 ms | p99 ms | requests/s |",
        "|---|---|---|---|---|",
    ]
    for name, found in web.items():
        if isinstance(found, dict):
            lines.append(
                f"| {name} | {found['clients']} | {found['p50_ms']} | {found['p99_ms']} "
                f"| {found['rps']} |"
            )
    return [*lines, ""]
