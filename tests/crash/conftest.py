"""Fixtures of the crash tests: fresh stores of each kind, and the sweep's size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import pg_schema_url

NewStore = Callable[[str], str]


def new_store_factory(kind: str, folder: Path) -> tuple[NewStore, Callable[[], None]]:
    """Return a maker of fresh store URLs of ``kind`` and a clean-up that drops them."""
    made: list[Iterator[str]] = []

    def new_store(tag: str) -> str:
        if kind == "sqlite":
            url = f"sqlite:///{folder}/{tag}.db"
            Ledger.open(url).close()  # as `severa-ledger init` makes it: writes need a store
            return url
        schemas = pg_schema_url()
        made.append(schemas)
        return next(schemas)

    def clean_up() -> None:
        for schemas in made:
            schemas.close()  # runs its finally: DROP SCHEMA ... CASCADE

    return new_store, clean_up


@pytest.fixture(params=["sqlite", "postgres"])
def store_kind(request: pytest.FixtureRequest) -> str:
    """Each store other processes can open: a SQLite file, a PostgreSQL schema."""
    return str(request.param)


@pytest.fixture
def new_store(store_kind: str, tmp_path: Path) -> Iterator[NewStore]:
    """Make fresh, empty stores of the test's kind; drop them after the test."""
    make, clean_up = new_store_factory(store_kind, tmp_path)
    yield make
    clean_up()


@pytest.fixture(scope="session")
def sweep(pytestconfig: pytest.Config) -> int:
    """The ``--crash-sweep`` factor: 1 is the quick default, more runs more cases."""
    return int(pytestconfig.getoption("crash_sweep"))
