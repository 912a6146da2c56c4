"""Issue 26, item 1: sessions end on the server, the cookie secret is not in the store,
login links are single-use and keyless, SQLite files and key files are owner-only."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from itsdangerous import URLSafeTimedSerializer

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import SessionLimits, digest, open_key_store
from severa_ledger.web.secret import SECRET_VARIABLE, secret_file, session_secret
from severa_ledger.web.session import COOKIE
from severa_ledger.web.settings import WebSettings
from tests.conftest import run
from tests.web.pages_support import NOW, SECRET, TODAY, Keys, client, demo_ledger, sign_in


class Clock:
    """The app's wall clock, moved by hand."""

    def __init__(self) -> None:
        self.at = NOW

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


@pytest.fixture(scope="module")
def ledger() -> Iterator[Ledger]:
    ledger = demo_ledger()
    yield ledger
    ledger.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def keys() -> Keys:
    return Keys(open_key_store("memory://"))


@pytest.fixture
def app(ledger: Ledger, keys: Keys, clock: Clock) -> FastAPI:
    return create_app(ledger, keys.store, secret=SECRET, today=lambda: TODAY, now=clock)


def _copied_cookie(app: FastAPI, key: str) -> str:
    """Sign in with ``key`` and return the session cookie, as a thief would copy it."""
    browser = client(app)
    sign_in(browser, key)
    return browser.cookies[COOKIE]


def _status_with(app: FastAPI, cookie: str, page: str = "/operator") -> int:
    thief = client(app)
    thief.cookies.set(COOKIE, cookie)
    return thief.get(page, follow_redirects=False).status_code


def test_a_copied_cookie_is_refused_after_logout(app, keys):
    """Logout deletes the server-side session: the cookie copied before it gets 303 to /login."""
    browser = client(app)
    sign_in(browser, keys.operator)
    copied = browser.cookies[COOKIE]
    assert _status_with(app, copied) == 200
    token = browser.get("/operator").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert (
        browser.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    assert _status_with(app, copied) == 303


def test_a_copied_cookie_is_refused_after_its_key_is_revoked(app, keys):
    """Revoking the key deletes its sessions at once."""
    copied = _copied_cookie(app, keys.operator)
    keys.store.revoke(keys.operator.split("_")[1])
    assert _status_with(app, copied) == 303


def test_a_session_ends_after_30_idle_minutes(app, keys, clock):
    """Each request keeps it alive; 30 minutes without one end it."""
    copied = _copied_cookie(app, keys.operator)
    clock.advance(minutes=29, seconds=59)
    assert _status_with(app, copied) == 200
    clock.advance(minutes=29, seconds=59)
    assert _status_with(app, copied) == 200
    clock.advance(minutes=30)
    assert _status_with(app, copied) == 303


def test_a_session_ends_8_hours_after_sign_in_however_busy(app, keys, clock):
    """A request every 20 minutes does not keep a session past 8 hours."""
    copied = _copied_cookie(app, keys.operator)
    for _ in range(23):  # 7 h 40 min
        clock.advance(minutes=20)
        assert _status_with(app, copied) == 200
    clock.advance(minutes=20)
    assert _status_with(app, copied) == 303


def test_session_limits_are_configurable(ledger, keys, clock):
    """SEVERA_LEDGER_SESSION_IDLE_MINUTES=5: a session idle 5 minutes has ended."""
    settings = WebSettings.from_environ({"SEVERA_LEDGER_SESSION_IDLE_MINUTES": "5"})
    assert settings.sessions == SessionLimits(timedelta(minutes=5), timedelta(hours=8))
    app = create_app(ledger, keys.store, secret=SECRET, settings=settings, now=clock)
    copied = _copied_cookie(app, keys.operator)
    clock.advance(minutes=5)
    assert _status_with(app, copied) == 303


@pytest.mark.parametrize("value", ["0", "-1", "ten", "1.5"])
def test_a_bad_session_limit_is_refused(value):
    """A limit that is not a whole number of at least 1 names its variable."""
    with pytest.raises(InvalidValueError, match="SEVERA_LEDGER_SESSION_HOURS"):
        WebSettings.from_environ({"SEVERA_LEDGER_SESSION_HOURS": value})


def test_a_cookie_forged_with_the_secret_signs_nobody_in(app, keys):
    """Even knowing the secret, a cookie naming no stored session is sent to /login."""
    _copied_cookie(app, keys.operator)  # a real session exists
    forged = URLSafeTimedSerializer(SECRET, salt="severa-ledger/session").dumps(
        {"n": "x" * 24, "s": "guessed", "k": keys.operator.split("_")[1], "c": None}
    )
    assert _status_with(app, forged) == 303


def test_a_login_link_makes_no_key_and_works_once(app, keys, clock):
    """A keyless link signs its customer in once; it leaves no key; reused it is refused."""
    token, principal = keys.store.issue_login_link("1002", now=NOW, ttl=timedelta(minutes=15))
    before = keys.store.list()
    browser = client(app)
    answer = browser.get(f"/login/{token}", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/c/1002")
    assert browser.get("/c/1002", follow_redirects=False).status_code == 200
    assert keys.store.list() == before
    assert principal.by_link
    assert client(app).get(f"/login/{token}").status_code == 401


def test_a_login_link_expires_after_15_minutes(app, keys, clock):
    """At its expiry instant the link no longer signs in."""
    token, _ = keys.store.issue_login_link("1002", now=NOW, ttl=timedelta(minutes=15))
    clock.advance(minutes=15)
    assert client(app).get(f"/login/{token}").status_code == 401


def test_revoking_a_link_ends_the_session_it_started(app, keys):
    """``keys revoke <link id>`` ends the link's sessions like a key's."""
    token, principal = keys.store.issue_login_link("1002", now=NOW, ttl=timedelta(minutes=15))
    browser = client(app)
    browser.get(f"/login/{token}")
    copied = browser.cookies[COOKIE]
    assert _status_with(app, copied, "/c/1002") == 200
    keys.store.revoke(principal.key_id)
    assert _status_with(app, copied, "/c/1002") == 303


def test_the_store_keeps_only_digests_of_session_ids(tmp_path, clock):
    """A session's row holds the SHA-256 of its id, never the id in the cookie."""
    path = tmp_path / "ledger.db"
    with Ledger.open(f"sqlite:///{path}") as ledger:
        store = open_key_store(f"sqlite:///{path}")
        key, _ = store.create(customer_number=None, label="ops", now=NOW)
        app = create_app(ledger, store, secret=SECRET, now=clock)
        cookie = _copied_cookie(app, key)
    data = URLSafeTimedSerializer(SECRET, salt="severa-ledger/session").loads(cookie)
    with sqlite3.connect(path) as conn:
        rows = list(conn.execute("SELECT digest FROM severa_ledger_web_sessions"))
    assert rows == [(digest(data["s"]),)]
    assert data["s"] not in path.read_bytes().decode("latin-1")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_store_and_its_secret_are_owner_only(tmp_path):
    """Ledger.open, the key store and the secret file create their files 0600."""
    Ledger.open(f"sqlite:///{tmp_path / 'a.db'}").close()
    open_key_store(f"sqlite:///{tmp_path / 'b.db'}")
    session_secret(f"sqlite:///{tmp_path / 'a.db'}", {})
    assert [_mode(tmp_path / n) for n in ("a.db", "b.db", "a.db.secret")] == [0o600] * 3


def test_an_older_stores_secret_row_is_dropped_and_never_used(tmp_path):
    """The old severa_ledger_web_secrets table is dropped on opening; the secret is another."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE severa_ledger_web_secrets (name TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO severa_ledger_web_secrets VALUES ('session', ?)", ("ab" * 32,))
    open_key_store(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    assert "severa_ledger_web_secrets" not in names
    assert session_secret(f"sqlite:///{path}", {}) != b"ab" * 32


def test_the_secret_comes_from_the_environment_first(tmp_path):
    """SEVERA_LEDGER_SECRET wins and no file is made; a short one is refused."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert session_secret(url, {SECRET_VARIABLE: "k" * 40}) == b"k" * 40
    assert not (tmp_path / "x.db.secret").exists()
    with pytest.raises(InvalidValueError, match="at least 32"):
        session_secret(url, {SECRET_VARIABLE: "short"})


def test_a_postgresql_stores_secret_is_in_the_users_configuration(tmp_path):
    """PostgreSQL has no file to sit beside: $XDG_CONFIG_HOME/severa-ledger/secret, 0600."""
    url = "postgresql://postgres@127.0.0.1:5432/test"
    environ = {"XDG_CONFIG_HOME": str(tmp_path)}
    assert secret_file(url, environ) == tmp_path / "severa-ledger" / "secret"
    assert secret_file(url, {"HOME": "/home/ops"}) == Path("/home/ops/.config/severa-ledger/secret")
    first = session_secret(url, environ)
    assert session_secret(url, environ) == first
    assert _mode(tmp_path / "severa-ledger" / "secret") == 0o600
    assert secret_file("memory://", environ) is None


def test_a_memory_store_gets_a_fresh_secret_each_start():
    """Nothing to keep it in: two starts, two secrets."""
    assert session_secret("memory://", {}) != session_secret("memory://", {})


def test_the_cli_login_link_makes_no_key(tmp_path, capsys):
    """``keys login-link`` prints a link id; ``keys list`` still lists no key."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    with Ledger.open(url) as ledger:
        load_demo(ledger)
    for _ in range(3):
        code, out, _ = run(
            capsys, "--db", url, "keys", "login-link", "--customer", "1002", "--format", "json"
        )
        assert code == 0
        assert '"link_id"' in out
    assert open_key_store(url).list() == []
    assert _mode(tmp_path / "demo.db") == 0o600
