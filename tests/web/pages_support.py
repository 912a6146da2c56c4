"""Helpers for the page tests: a demo ledger, an app on a fixed business date, sessions."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.auth import Principal
from severa_ledger.web.keys import KeyStore, open_key_store

#: The seed's addition day (R9): 1002's period 2025-05-01..2025-07-31, 57 of 92 days left.
TODAY = date(2025, 6, 5)
NOW = datetime(2025, 6, 5, 9, 0, tzinfo=UTC)
SECRET = b"pages-test-secret-0123456789abcdef"
#: A customer migrated on 2025-05-01 who has not accepted the new terms (R25).
FRESH = "3001"


def open_fresh_customer(ledger: Ledger) -> None:
    """Record customer 3001 like the seed's 1002 (quarterly, 100 NOK) but without acceptance."""
    company = CompanyDetails(
        legal_name="Stavanger Data AS", org_number="974760673", country="NO",
        street="Kirkegata 2", postcode="4006", city="Stavanger",
        invoice_email="faktura@stavanger-data.example.no",
    )  # fmt: skip
    ledger.open_subscription(FRESH, company=company, currency="NOK", period_months=3,
                             anchor=date(2024, 5, 1), prices={"user": Decimal("100.00")},
                             on=date(2024, 5, 1))  # fmt: skip
    ledger.buy_licenses(FRESH, "user", 3, on=date(2024, 5, 1))
    for user in ("mia", "odd", "siv"):
        ledger.activate_user(FRESH, user, on=date(2024, 5, 1))
    ledger.schedule_migration(FRESH, cohort=date(2025, 5, 1), on=date(2025, 2, 10))


def demo_ledger(url: str = "memory://") -> Ledger:
    """Return a ledger with the demo (billed through 2025-05-16) and customer 3001."""
    ledger = Ledger.open(url)
    load_demo(ledger)
    open_fresh_customer(ledger)
    ledger.run_billing(through=date(2025, 5, 16))
    return ledger


def build_app(ledger: Ledger, keys: KeyStore, today: Callable[[], date] = lambda: TODAY) -> FastAPI:
    """Return the app (webapi's ``create_app``) on ``ledger`` at a fixed business date."""
    from severa_ledger.web.app import create_app  # noqa: PLC0415

    return create_app(ledger, keys, secret=SECRET, today=today)


class Keys:
    """The keys of a test: one operator key, and one key per customer asked for."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store
        self.operator, _ = store.create(customer_number=None, label="billing team", now=NOW)
        self._customers: dict[str, str] = {}

    def customer(self, number: str) -> str:
        """Return the key of ``number`` (made once)."""
        if number not in self._customers:
            self._customers[number], _ = self.store.create(
                customer_number=number, label=f"admin {number}", now=NOW
            )
        return self._customers[number]

    def link(self, number: str | None) -> str:
        """Return a one-time login path for ``number`` (None: the operator)."""
        secret = self.operator if number is None else self.customer(number)
        principal = self.store.verify(secret)
        assert isinstance(principal, Principal)
        token = self.store.issue_login_token(principal, now=datetime.now(UTC),
                                             ttl=timedelta(minutes=15))  # fmt: skip
        return f"/login/{token}"


def new_keys() -> Keys:
    """Return the keys of a fresh in-memory key store."""
    return Keys(open_key_store("memory://"))


def csrf_of(html: str) -> str:
    """Return the CSRF token of a rendered page."""
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def nonce_of(html: str) -> str:
    """Return a form nonce of a rendered page."""
    found = re.search(r'name="nonce" value="([A-Za-z0-9_-]+)"', html)
    assert found, "no form nonce on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> None:
    """Sign ``client`` in with ``key`` through the login form."""
    token = csrf_of(client.get("/login").text)
    done = client.post("/login", data={"key": key, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text


def form(client: TestClient, page: str, **fields: str) -> dict[str, str]:
    """Return ``fields`` with the CSRF token and a fresh nonce of ``page``, ready to post."""
    html = client.get(page).text
    return {"csrf_token": csrf_of(html), "nonce": nonce_of(html), **fields}


def client(app: FastAPI, *, https: bool = False) -> TestClient:
    """Return a test client of ``app`` (over https if asked: the cookie is then Secure)."""
    return TestClient(app, base_url="https://testserver" if https else "http://testserver")


def position(ledger: Ledger) -> int:
    """Return the last position of the stored log: it moves whenever anything is recorded."""
    return ledger.recorder.max_notification_id() or 0


def static_files() -> list[Path]:
    """Return every template and static file of the web package."""
    root = Path(__file__).resolve().parents[2] / "src" / "severa_ledger" / "web"
    return [
        p for folder in ("templates", "static") for p in (root / folder).rglob("*") if p.is_file()
    ]
