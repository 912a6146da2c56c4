"""The README's and docs/web.md's walk on the web: the demo through 2025-06-04, served on 2025-06-05."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from severa_ledger import Ledger
from severa_ledger.web.keys import open_key_store
from tests.web.conftest import SECRET, bearer

#: The walk's dates: `demo --through 2025-06-04`, then `serve --today 2025-06-05`.
THROUGH, TODAY = "2025-06-04", date(2025, 6, 5)
QUOTE = "/api/v1/subscriptions/1002/licenses/quote"


def _walk_store(folder: Path, through: str) -> str:
    """Run `severa-ledger demo --through THROUGH` into a new SQLite file; return its URL."""
    url = f"sqlite:///{folder / 'web.db'}"
    done = subprocess.run(  # noqa: S603 -- this interpreter's CLI
        [sys.executable, "-m", "severa_ledger.cli", "--db", url, "demo", "--through", through],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return url


def _client(ledger: Ledger) -> tuple[TestClient, dict[str, str]]:
    from severa_ledger.web.app import create_app  # noqa: PLC0415

    keys = open_key_store("memory://")
    app = create_app(ledger, keys, secret=SECRET, today=lambda: TODAY)
    return TestClient(app, raise_server_exceptions=False), bearer(keys, "1002")


def test_the_walk_quotes_and_buys_the_addition_at_185_87(tmp_path: Path) -> None:
    """On 2025-06-05 one more user license for 1002 costs 57/92 x 3 x 100.00 = 185.87 NOK."""
    with Ledger.open(_walk_store(tmp_path, THROUGH)) as ledger:
        client, customer = _client(ledger)
        quote = client.post(QUOTE, json={"kind": "user", "quantity": 1}, headers=customer)
        assert quote.status_code == 200, quote.text
        body = quote.json()
        assert (body["on"], body["net"]) == ("2025-06-05", "185.87")
        line = body["lines"][0]
        assert (line["period_start"], line["period_end"]) == ("2025-06-05", "2025-07-31")
        bought = client.post(
            "/api/v1/subscriptions/1002/licenses/buy",
            json={"kind": "user", "quantity": 1},
            headers={**customer, "Idempotency-Key": "walk-1"},
        )
        assert bought.status_code in (200, 201), bought.text
        assert ledger.orders("1002")[-1].lines[0].amount == Decimal("185.87")


def test_the_demo_billed_through_august_refuses_a_june_purchase(tmp_path: Path) -> None:
    """The old walk (the demo's default 2025-08-31, served on 2025-06-05) is refused: why the walk changed."""
    with Ledger.open(_walk_store(tmp_path, "2025-08-31")) as ledger:
        client, customer = _client(ledger)
        quote = client.post(QUOTE, json={"kind": "user", "quantity": 1}, headers=customer)
        assert quote.status_code == 422, quote.text
        assert "before the current period start 2025-08-01" in quote.text
