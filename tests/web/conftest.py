"""Fixtures of the web tests: the demo ledger in memory, keys, an app with a fixed today."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from fastapi import FastAPI

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import KeyStore, open_key_store

with warnings.catch_warnings():  # Starlette asks for httpx2 (not installed here) beside httpx
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

#: The demo is billed through 2025-08-31; the API's business date in these tests.
TODAY = date(2025, 8, 15)
THROUGH = date(2025, 8, 31)
NOW = datetime(2025, 8, 15, 9, 0, tzinfo=UTC)
SECRET = b"s" * 32
#: Customer A (the caller's own) and customer B (somebody else's), both in the demo.
CUSTOMER_A, CUSTOMER_B = "1002", "1001"


@pytest.fixture
def demo() -> Iterator[Ledger]:
    """The demo scenario in memory, billed through 2025-08-31 (as ``severa-ledger demo``)."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.run_billing(through=THROUGH)
        yield ledger


@pytest.fixture
def keys() -> KeyStore:
    """An empty key store in memory."""
    return open_key_store("memory://")


@pytest.fixture
def app(demo: Ledger, keys: KeyStore) -> FastAPI:
    """The app on the demo, its business date fixed at 2025-08-15."""
    return create_app(demo, keys, secret=SECRET, today=lambda: TODAY)


def bearer(keys: KeyStore, customer: str | None) -> dict[str, str]:
    """Return the Authorization header of a new key for ``customer`` (None: the operator)."""
    key, _ = keys.create(customer_number=customer, label="test", now=NOW)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def operator(keys: KeyStore) -> dict[str, str]:
    """The operator's key header."""
    return bearer(keys, None)


@pytest.fixture
def customer_a(keys: KeyStore) -> dict[str, str]:
    """Customer 1002's key header."""
    return bearer(keys, CUSTOMER_A)


@pytest.fixture
def customer_b(keys: KeyStore) -> dict[str, str]:
    """Customer 1001's key header."""
    return bearer(keys, CUSTOMER_B)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    """A client of the app; a server error is answered, not raised."""
    return TestClient(app, raise_server_exceptions=False)
