"""Store URLs are checked before anything connects (issue 26, item 5).

A malformed URL (unknown scheme, port out of range, bad host, a schema name
that is not a plain lower-case identifier) is one line and exit 2; a server
with nothing listening is reported within two seconds, exit 4.
"""

from __future__ import annotations

import time

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.errors import InvalidValueError, StoreUnavailableError, StoreUrlError
from severa_ledger.store.environment import environment
from tests.conftest import PG_HOST, run

BASE = f"postgresql://postgres@{PG_HOST}:5432/test"
PORT = ": the port must be a number from 1 to 65535"
SCHEMA = (
    " is not a plain name (a lower-case letter or _, then lower-case letters, digits or _, "
    "at most 63 in all)"
)

MALFORMED = [
    (f"postgresql://postgres@{PG_HOST}:99999/test", PORT),
    (f"postgresql://postgres@{PG_HOST}:0/test", PORT),
    (f"postgresql://postgres@{PG_HOST}:abc/test", PORT),
    ("postgresql://postgres@[::1/test", " is malformed: Invalid IPv6 URL"),
    ("postgresql://postgres@ho%20st/test", ": 'ho%20st' is not a host name or address"),
    ("postgresql://postgres@ho st/test", ": 'ho st' is not a host name or address"),
    (f"{BASE}?schema=a%22b", f""": schema 'a"b'{SCHEMA}"""),
    (f"{BASE}?schema=a.b", f": schema 'a.b'{SCHEMA}"),
    (f"{BASE}?schema=Acme", f": schema 'Acme'{SCHEMA}"),
    (f"{BASE}?schema=1st", f": schema '1st'{SCHEMA}"),
    (f"{BASE}?schema=" + "a" * 64, f": schema '{'a' * 64}'{SCHEMA}"),
    (f"{BASE}?schema=a%20b", f": schema 'a b'{SCHEMA}"),
    (
        f"{BASE}?connect_timeout=x",
        ": connect_timeout must be a whole number of seconds from 1 to 3600",
    ),
    ("mysql://x/y", ": use memory://, sqlite:///PATH or postgresql://USER@HOST/DB"),
]


@pytest.mark.parametrize(("url", "reason"), MALFORMED)
def test_a_malformed_url_is_refused_naming_what_is_wrong(url: str, reason: str) -> None:
    """Each malformed URL raises StoreUrlError (an InvalidValueError) with its exact reason."""
    with pytest.raises(StoreUrlError) as raised:
        environment(url)
    assert isinstance(raised.value, InvalidValueError)
    assert str(raised.value) == f"store URL {url!r}{reason}"


@pytest.mark.parametrize(("url", "reason"), MALFORMED)
def test_the_cli_says_a_malformed_url_in_one_line_with_exit_2(
    capsys: pytest.CaptureFixture[str], url: str, reason: str
) -> None:
    """Never the internal-error exit 70: one line, exit 2, for every command."""
    for command in (["licenses", "C1"], ["verify"]):
        code, out, err = run(capsys, "--db", url, *command)
        assert (code, out) == (2, "")
        assert err == f"error: store URL {url!r}{reason}\n"


def test_plain_schema_names_and_defaults_pass_through() -> None:
    """A plain schema, port and timeout are kept; the defaults fill in the rest."""
    env = environment("postgresql://u:p%40ss@db.example:6543/acc?schema=acme_2&connect_timeout=3")
    assert {k: env[k] for k in sorted(env) if k.startswith("POSTGRES_")} == {
        "POSTGRES_CONNECT_TIMEOUT": "3",
        "POSTGRES_DBNAME": "acc",
        "POSTGRES_HOST": "db.example",
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_PASSWORD": "p@ss",
        "POSTGRES_PORT": "6543",
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_SCHEMA": "acme_2",
        "POSTGRES_USER": "u",
    }
    env = environment("postgresql://[::1]/acc")
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_SCHEMA"]) == (
        "::1",
        "5432",
        "public",
    )
    assert env["POSTGRES_CONNECT_TIMEOUT"] == "5"


def test_nothing_listening_is_reported_within_two_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Port 5999 refuses: the one-line reason (refused) comes at once, not after the pool's wait."""
    for command in (
        ["licenses", "C1"],
        ["verify"],
        ["buy", "C1", "user", "1", "--on", "2025-01-01"],
    ):
        started = time.monotonic()
        code, out, err = run(capsys, "--db", f"postgresql://postgres@{PG_HOST}:5999/test", *command)
        assert time.monotonic() - started < 2.0
        assert (code, out, err.count("\n")) == (4, "", 1)
        assert err.startswith(
            f"error: PostgreSQL at {PG_HOST}:5999 (database 'test') cannot be used"
        )
        assert "Connection refused" in err


def test_nothing_listening_raises_store_unavailable_from_the_api() -> None:
    """Ledger.open says the same within two seconds, as StoreUnavailableError."""
    started = time.monotonic()
    with pytest.raises(StoreUnavailableError, match="Connection refused"):
        Ledger.open(f"postgresql://postgres@{PG_HOST}:5999/test")
    assert time.monotonic() - started < 2.0


def test_a_plain_schema_works_end_to_end(pg_url: str) -> None:
    """The schema names allowed are used, quoted, by events, chain and read models alike."""
    with Ledger.open(pg_url) as ledger:
        assert ledger.verify().ok
