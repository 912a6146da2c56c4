"""``severa-ledger serve`` and ``keys``: the app on a real port, keys made on the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from benchmarks.web import served as serve_in_a_process

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.auth import Principal
from severa_ledger.web.keys import open_key_store
from tests.conftest import run
from tests.web.conftest import NOW


@pytest.fixture
def demo_url(tmp_path: Path) -> str:
    """A demo store in a SQLite file."""
    url = f"sqlite:///{tmp_path}/demo.db"
    with Ledger.open(url) as ledger:
        load_demo(ledger)
    return url


@pytest.fixture
def served(demo_url: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``severa-ledger --db URL serve --port P`` in a subprocess; yield its base URL and log."""
    log = tmp_path / "serve.log"
    with serve_in_a_process(demo_url, log=log) as base:
        yield base, log


def test_serve_answers_a_json_query_with_a_key(served: tuple[str, Path], demo_url: str) -> None:
    """A customer key made beside the events works against the served app."""
    base, _ = served
    key, _ = open_key_store(demo_url).create(customer_number="1002", label="t", now=NOW)
    response = httpx.get(f"{base}/api/v1/subscriptions/1002/licenses",
                         params={"as_of": "2025-06-05"},
                         headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["kinds"]["user"]["licenses"] == 4
    assert httpx.get(f"{base}/api/v1/subscriptions/1002/licenses").status_code == 401


def test_the_access_log_never_shows_a_login_token(served: tuple[str, Path], demo_url: str) -> None:
    """A one-time link's token is in its path: the access log shows /login/*** instead."""
    base, log = served
    token = open_key_store(demo_url).issue_login_token(
        Principal("x", "1002"), now=NOW, ttl=timedelta(days=1)
    )
    httpx.get(f"{base}/login/{token}")
    httpx.get(f"{base}/healthz")  # the log line of the login is flushed before this one
    time.sleep(0.3)
    text = log.read_text()
    assert "/login/***" in text
    assert token not in text
    assert token.split("_", 2)[2] not in text


def test_serve_without_the_web_extra_says_how_to_install_it(
    capsys: pytest.CaptureFixture[str], demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No uvicorn: exit 2 and one line naming pip install "severa-ledger[web]"."""
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    code, _, err = run(capsys, "--db", demo_url, "serve")
    assert code == 2
    assert err.count("\n") == 1
    assert 'pip install "severa-ledger[web]"' in err


def test_keys_on_the_command_line(capsys: pytest.CaptureFixture[str], demo_url: str) -> None:
    """create prints the key once; list shows its id and never the secret; revoke ends it."""
    code, out, _ = run(capsys, "--db", demo_url, "keys", "create", "--customer", "1002",
                       "--label", "anne", "--format", "json")  # fmt: skip
    assert code == 0
    made = json.loads(out)
    keys = open_key_store(demo_url)
    assert keys.verify(made["key"]) is not None
    code, out, _ = run(capsys, "--db", demo_url, "keys", "list", "--format", "json")
    (listed,) = json.loads(out)
    assert (listed["key_id"], listed["customer_number"], listed["label"]) == (
        made["key_id"], "1002", "anne")  # fmt: skip
    assert made["key"].split("_", 2)[2] not in out
    assert run(capsys, "--db", demo_url, "keys", "revoke", made["key_id"])[0] == 0
    assert keys.verify(made["key"]) is None


def test_a_key_for_an_unknown_customer_is_refused(
    capsys: pytest.CaptureFixture[str], demo_url: str
) -> None:
    """No subscription 9999: exit 3, and no key made."""
    code, _, err = run(capsys, "--db", demo_url, "keys", "create", "--customer", "9999")
    assert code == 3
    assert "9999" in err
    assert open_key_store(demo_url).list() == []


def test_a_login_link_logs_in_once(capsys: pytest.CaptureFixture[str], demo_url: str) -> None:
    """login-link prints BASE/login/<token>; the token redeems once for the customer."""
    code, out, _ = run(capsys, "--db", demo_url, "keys", "login-link", "--customer", "1002",
                       "--base-url", "https://billing.example/", "--format", "json")  # fmt: skip
    assert code == 0
    url = json.loads(out)["url"]
    assert url.startswith("https://billing.example/login/sll_")
    token = url.rsplit("/", 1)[1]
    keys = open_key_store(demo_url)
    principal = keys.redeem_login_token(token, now=datetime.now(UTC))
    assert principal is not None
    assert principal.customer_number == "1002"
    assert keys.redeem_login_token(token, now=datetime.now(UTC)) is None


def test_keys_work_without_the_web_extra(demo_url: str) -> None:
    """With fastapi and uvicorn missing, `keys create` still works and `serve` says what to install."""
    script = (
        "import sys; sys.modules['fastapi'] = sys.modules['uvicorn'] = None; "
        "from severa_ledger.cli import main; "
        f"code = main(['--db', {demo_url!r}, 'keys', 'create', '--operator']); "
        f"sys.exit(code * 10 + main(['--db', {demo_url!r}, 'serve']))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,  # noqa: S603
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "slk_" in done.stdout
    assert 'pip install "severa-ledger[web]"' in done.stderr


def test_serve_today_pins_the_business_date(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Serve --today 2025-06-05 answers every request as of that date (demos, training)."""
    import uvicorn  # noqa: PLC0415 -- the web extra

    from severa_ledger.cli import main  # noqa: PLC0415

    served = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda server: served.append(server.config.app))
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "serve", "--today", "2025-06-05"]) == 0
    assert served[0].state.today() == date(2025, 6, 5)
