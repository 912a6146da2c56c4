"""API keys and login links: only digests stored, revocation, single use, expiry."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.errors import ApiKeyNotFoundError
from severa_ledger.web.auth import Principal
from severa_ledger.web.keys import KeyStore, digest, open_key_store
from severa_ledger.web.secret import session_secret
from tests.web.conftest import NOW

TTL = timedelta(minutes=15)


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    """A ledger's SQLite file (the key tables go beside its events)."""
    path = tmp_path / "ledger.db"
    Ledger.open(f"sqlite:///{path}").close()
    return path


@pytest.fixture
def file_keys(store_file: Path) -> KeyStore:
    """The key store in that file."""
    return open_key_store(f"sqlite:///{store_file}")


def _everything_stored(path: Path) -> str:
    """Return every row of every key table, as text."""
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return repr([list(conn.execute(f"SELECT * FROM {t}")) for t in tables if "web" in t])


def test_only_a_digest_of_a_key_is_stored(file_keys: KeyStore, store_file: Path) -> None:
    """The table holds the key's SHA-256 digest and id, never its secret."""
    key, principal = file_keys.create(customer_number="1002", label="anne", now=NOW)
    stored = _everything_stored(store_file)
    secret = key.split("_", 2)[2]
    assert secret not in stored
    assert digest(key) in stored
    assert principal.key_id in stored


def test_a_key_verifies_to_its_principal_and_a_wrong_one_to_none(file_keys: KeyStore) -> None:
    """The principal comes back for the key; a changed character, or garbage, gives None."""
    key, principal = file_keys.create(customer_number="1002", label="anne", now=NOW)
    assert file_keys.verify(key) == principal == Principal(principal.key_id, "1002")
    assert file_keys.verify(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert file_keys.verify("Bearer nonsense") is None
    assert file_keys.verify("") is None


def test_keys_survive_reopening_the_store(store_file: Path) -> None:
    """A key made by one process verifies in another (the CLI makes, serve checks)."""
    key, principal = open_key_store(f"sqlite:///{store_file}").create(
        customer_number=None, label="ops", now=NOW
    )
    assert open_key_store(f"sqlite:///{store_file}").verify(key) == principal


def test_a_revoked_key_stops_working_and_is_listed_as_revoked(keys: KeyStore) -> None:
    """Revoke: verify gives None; the list shows when."""
    key, principal = keys.create(customer_number=None, label="ops", now=NOW)
    keys.revoke(principal.key_id, now=NOW + timedelta(hours=1))
    assert keys.verify(key) is None
    (info,) = keys.list()
    assert (info.key_id, info.label, info.revoked_at) == (principal.key_id, "ops",
                                                          NOW + timedelta(hours=1))  # fmt: skip


def test_a_key_is_looked_up_by_its_id_until_it_is_revoked(keys: KeyStore) -> None:
    """principal(key_id): the key's scope while it stands, None once revoked or unknown."""
    _, principal = keys.create(customer_number="1002", label="admin", now=NOW)
    assert keys.principal(principal.key_id) == principal
    assert keys.principal("000000000000") is None
    keys.revoke(principal.key_id, now=NOW)
    assert keys.principal(principal.key_id) is None


def test_revoking_an_unknown_key_is_refused(keys: KeyStore) -> None:
    """ApiKeyNotFoundError names the id."""
    with pytest.raises(ApiKeyNotFoundError, match="nope"):
        keys.revoke("nope")


def test_a_login_token_works_once(keys: KeyStore) -> None:
    """Redeemed once: the principal; twice: None."""
    principal = Principal("abc", "1002")
    token = keys.issue_login_token(principal, now=NOW, ttl=TTL)
    assert keys.redeem_login_token(token, now=NOW + timedelta(minutes=1)) == principal
    assert keys.redeem_login_token(token, now=NOW + timedelta(minutes=2)) is None


def test_a_login_token_expires(keys: KeyStore) -> None:
    """At its expiry instant a token no longer logs in, and it is spent."""
    token = keys.issue_login_token(Principal("abc", "1002"), now=NOW, ttl=TTL)
    assert keys.redeem_login_token(token, now=NOW + TTL) is None
    assert keys.redeem_login_token(token, now=NOW) is None


def test_login_tokens_are_stored_as_digests(file_keys: KeyStore, store_file: Path) -> None:
    """The token's secret is not in the store."""
    token = file_keys.issue_login_token(Principal("abc", "1002"), now=NOW, ttl=TTL)
    assert token.split("_", 2)[2] not in _everything_stored(store_file)


def test_the_session_secret_is_made_once_beside_the_store(store_file: Path) -> None:
    """Two starts sign sessions with the same 64 hex digits, kept in <db>.secret, not the store."""
    first = session_secret(f"sqlite:///{store_file}", {})
    assert len(first) == 64
    assert session_secret(f"sqlite:///{store_file}", {}) == first
    assert store_file.with_name("ledger.db.secret").read_text() == first.decode() + "\n"
    assert first.decode() not in _everything_stored(store_file)


def test_listing_keys_without_creating_tables_lists_none(store_file: Path) -> None:
    """A read (``keys list``) on a store without key tables lists nothing and creates nothing."""
    assert open_key_store(f"sqlite:///{store_file}", create=False).list() == []
    with sqlite3.connect(store_file) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert not [name for name in names if name.startswith("severa_ledger_web")]


def test_the_key_store_works_on_every_store(store_url: str) -> None:
    """memory, SQLite and PostgreSQL (skipped when the server is unreachable): the same answers."""
    keys = open_key_store(store_url)
    key, principal = keys.create(customer_number="1002", label="anne", now=NOW)
    assert keys.verify(key) == principal
    token = keys.issue_login_token(principal, now=NOW, ttl=TTL)
    assert keys.redeem_login_token(token, now=NOW) == principal
    assert keys.redeem_login_token(token, now=NOW) is None
    keys.revoke(principal.key_id)
    assert keys.verify(key) is None
    assert [info.key_id for info in keys.list()] == [principal.key_id]
