"""``serve --workers N``: several processes, one store; sessions, keys and commands shared (issue 27)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from benchmarks.web import served as serve_in_a_process

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.keys import open_key_store
from tests.conftest import run

CUSTOMER = "1002"
BUY = f"/api/v1/subscriptions/{CUSTOMER}/licenses/buy"


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    """A demo store in a SQLite file."""
    url = f"sqlite:///{tmp_path}/demo.db"
    with Ledger.open(url) as ledger:
        load_demo(ledger)
    return url


@pytest.fixture
def base(demo_url: str, tmp_path: Path) -> Iterator[str]:
    """The app served by two worker processes."""
    with serve_in_a_process(demo_url, log=tmp_path / "serve.log", workers=2) as found:
        yield found


def _licenses(url: str) -> int:
    with Ledger.open(url, create=False) as ledger:
        return ledger.license_counts(CUSTOMER, as_of=date.today())["user"].licenses  # noqa: DTZ011 -- as the app


def test_a_retried_command_records_once_across_workers(base: str, demo_url: str) -> None:
    """Eight concurrent sends of one Idempotency-Key, sent to two workers: one buy of 2."""
    key, _ = open_key_store(demo_url).create(
        customer_number=CUSTOMER, label="t", now=datetime.now(UTC)
    )
    before = _licenses(demo_url)
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "buy-once"}

    def send(_: int) -> httpx.Response:
        return httpx.post(f"{base}{BUY}", json={"quantity": 2}, headers=headers, timeout=30)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.text for a in answers}) == 1
    assert _licenses(demo_url) == before + 2


def test_a_session_works_on_every_worker_and_ends_on_all(base: str, demo_url: str) -> None:
    """Signed in by a login link: every request is answered; after logout none is."""
    keys, now = open_key_store(demo_url), datetime.now(UTC)
    _, principal = keys.create(customer_number=CUSTOMER, label="t", now=now)
    token = keys.issue_login_token(principal, now=now, ttl=timedelta(minutes=5))
    with httpx.Client(base_url=base, timeout=30) as browser:
        assert browser.get(f"/login/{token}").status_code == 303
        assert {browser.get(f"/c/{CUSTOMER}").status_code for _ in range(12)} == {200}
        keys.revoke(principal.key_id)  # revoking the key ends its sessions, on every worker
        assert {browser.get(f"/c/{CUSTOMER}").status_code for _ in range(12)} == {303}


def test_several_workers_need_a_stored_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    """memory:// lives in one process: --workers 2 is refused (exit 2), one line, no traceback."""
    code, _, err = run(capsys, "--db", "memory://", "serve", "--workers", "2")
    assert code == 2
    assert err == "error: --workers above 1 needs a stored ledger, not memory://\n"


def test_workers_must_be_a_positive_count(capsys: pytest.CaptureFixture[str]) -> None:
    """--workers 0 is a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "--db", "memory://", "serve", "--workers", "0")
    assert exit_.value.code == 2
    assert "--workers must be from 1 to 64: '0'" in capsys.readouterr().err
