"""Shared fixtures: a ledger on each store, and a way to compare the stored log."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.testing import register_profiles

# Hypothesis profiles from the kit: "dev" (default) is quick; "ci" runs more, derandomised.
register_profiles()

PG_HOST = "127.0.0.1"
PG_PORT = 5432
REQUIRE_PG = os.environ.get("SEVERA_LEDGER_REQUIRE_POSTGRES") == "1"


def _pg_reachable() -> str | None:
    try:
        import psycopg  # noqa: PLC0415

        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user="postgres", dbname="test", connect_timeout=3
        ):
            return None
    except Exception as error:  # noqa: BLE001 -- any failure means unreachable
        return f"{type(error).__name__}: {error}"


_PG_PROBLEM = _pg_reachable()


def pg_schema_url() -> Iterator[str]:
    """Yield a URL to a fresh, uniquely named schema in database ``test``; drop it after."""
    if _PG_PROBLEM is not None:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL required but unreachable: {_PG_PROBLEM}")
        pytest.skip(f"PostgreSQL unreachable: {_PG_PROBLEM}")
    import psycopg  # noqa: PLC0415

    schema = f"t_{uuid.uuid4().hex[:16]}"
    conninfo = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL store in its own schema."""
    yield from pg_schema_url()


@pytest.fixture(params=["sqlite", "postgres"])
def sql_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """A SQLite file or a PostgreSQL schema: the stores an outsider can edit with SQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
    else:
        yield from pg_schema_url()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """The URL of an empty store of each kind."""
    if request.param == "memory":
        yield "memory://"
    elif request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/ledger.db"
    else:
        yield from pg_schema_url()


@pytest.fixture
def ledger(store_url: str) -> Iterator[Ledger]:
    """An empty ledger on each store."""
    with Ledger.open(store_url) as opened:
        yield opened


@pytest.fixture
def memory_ledger() -> Iterator[Ledger]:
    """An empty in-memory ledger."""
    with Ledger.open("memory://") as opened:
        yield opened


def norwegian_company(**changes: str | None) -> CompanyDetails:
    """A valid Norwegian buyer."""
    fields: dict[str, str | None] = {
        "legal_name": "Fjordtech Consulting AS",
        "org_number": "974760673",
        "country": "NO",
        "street": "Storgata 1",
        "postcode": "0155",
        "city": "Oslo",
        "vat_id": None,
        "invoice_email": "faktura@example.no",
        "bank_account": None,
    }
    fields.update(changes)
    return CompanyDetails(**fields)  # type: ignore[arg-type]


def finnish_company() -> CompanyDetails:
    """A valid Finnish buyer."""
    return CompanyDetails(
        legal_name="Savo Data Oy",
        org_number="1967543-8",
        country="FI",
        street="Kauppakatu 1",
        postcode="70100",
        city="Kuopio",
    )


def open_customer(
    ledger: Ledger,
    customer: str = "C1",
    *,
    anchor: date = date(2025, 2, 1),
    on: date | None = None,
    months: int = 3,
    regime: str = "after_start",
    seller: str | None = None,
    price: str = "100.00",
    company: CompanyDetails | None = None,
    currency: str = "NOK",
    proration: str = "actual_days",
) -> None:
    """Open a subscription with one priced kind, ``user``."""
    if seller is None:
        seller = "visma-solutions-oy" if regime == "after_start" else "visma-software-as"
    ledger.open_subscription(
        customer,
        company=company or norwegian_company(),
        currency=currency,
        period_months=months,
        anchor=anchor,
        prices={"user": Decimal(price)},
        on=on or anchor,
        seller=seller,
        regime=regime,
        proration=proration,
    )


def stored_log(ledger: Ledger) -> list[tuple[object, ...]]:
    """Return every stored event as (originator, version, topic, state), in log order."""
    notes = ledger.recorder.select_notifications(
        start=0, limit=10_000_000, inclusive_of_start=False
    )
    return [(n.originator_id, n.originator_version, n.topic, bytes(n.state)) for n in notes]


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--crash-sweep=N``: run the crash and fuzz tests (tests/crash) N times wider."""
    parser.addoption(
        "--crash-sweep",
        type=int,
        default=1,
        metavar="N",
        help="crash tests: N x more kill points, seeds, concurrent runs and fuzz inputs "
        "(default 1: the quick set CI runs)",
    )


# ----------------------------------------------------------------- the command line

COMPANY = (
    '{"legal_name": "Fjordtech Consulting AS", "org_number": "974760673", "country": "NO", '
    '"street": "Storgata 1", "postcode": "0155", "city": "Oslo"}'
)
#: A command line opening C1: quarterly from 2025-05-01, Visma Solutions Oy, 100.00 NOK.
OPEN_C1 = (
    f'{{"command": "open_subscription", "customer_number": "C1", "company": {COMPANY}, '
    '"currency": "NOK", "period_months": 3, "anchor": "2025-05-01", '
    '"prices": {"user": "100.00"}, "seller": "visma-solutions-oy", "regime": "after_start", '
    '"on": "2025-05-01"}'
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    from severa_ledger.cli import main  # noqa: PLC0415 -- only the CLI tests need it

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> str:
    """The URL of an empty SQLite store, made as `severa-ledger init` makes it."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    Ledger.open(url).close()
    return url
