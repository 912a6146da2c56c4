"""Reads never wait for a SQLite writer (issue 26, item 5).

Another connection holds the write lock (BEGIN IMMEDIATE and an insert, not
committed) while the CLI answers queries and verifies the store: each answers
at once from WAL readers, with the demo's exact values, whether the read
models are current or lag (then the events answer and nothing is written).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from severa_ledger.cli import main

#: Far below SQLite's lock timeout (5 s): a read that waited for the writer fails this.
PROMPT = 2.0
LICENSES = ["licenses", "1002", "--as-of", "2025-08-31", "--format", "json"]
PREVIEW = ["preview", "1002", "--as-of", "2025-08-31", "--format", "json"]
INVOICES = ["invoices", "--format", "json"]
HISTORY = ["history", "1002", "--format", "json"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo scenario, made once for the module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["--db", f"sqlite:///{path}", "demo"]) == 0
    return path


@pytest.fixture
def store(demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A copy of the demo store for this test."""
    capsys.readouterr()
    path = tmp_path / "held.db"
    shutil.copyfile(demo_file, path)
    return path


@contextmanager
def writer_holding(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the store's write lock: BEGIN IMMEDIATE and an insert, uncommitted, until the end."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO severa_ledger_tracking VALUES ('held', 0, 'x')")
        yield connection
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def answer(
    capsys: pytest.CaptureFixture[str], path: Path, args: list[str]
) -> tuple[int, str, float]:
    """Run the CLI in-process on ``path``; return its exit code, output and seconds taken."""
    capsys.readouterr()
    started = time.perf_counter()
    code = main(["--db", f"sqlite:///{path}", *args])
    taken = time.perf_counter() - started
    captured = capsys.readouterr()
    return code, captured.out + captured.err, taken


def tracking(path: Path) -> list[tuple[str, int]]:
    """Return the read models' positions as stored (a reader's view, never waiting)."""
    with sqlite3.connect(path, timeout=0) as connection:
        rows = connection.execute("SELECT projection, position FROM severa_ledger_tracking")
        return sorted((str(name), int(position)) for name, position in rows)


def events(path: Path) -> int:
    """Return how many events the store holds."""
    with sqlite3.connect(path, timeout=0) as connection:
        return int(connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


def check_answers(capsys: pytest.CaptureFixture[str], path: Path) -> None:
    """Every read answers promptly, with the demo's values, while the writer holds the lock."""
    code, out, taken = answer(capsys, path, LICENSES)
    assert (code, taken < PROMPT) == (0, True), out
    assert json.loads(out)["licenses"]["user"] == {
        "licenses": 4,
        "active_users": 4,
        "free": 0,
        "pending_removal": 0,
    }
    code, out, taken = answer(capsys, path, PREVIEW)
    assert (code, taken < PROMPT) == (0, True), out
    found = json.loads(out)
    assert (found["period_start"], found["net"], found["total"]) == (
        "2025-11-01",
        "1200.00",
        "1200.00",
    )
    code, out, taken = answer(capsys, path, INVOICES)
    assert (code, taken < PROMPT) == (0, True), out
    found = json.loads(out)
    assert [(d["number"], d["total"]) for d in (found[0], found[-1])] == [
        ("VSAS-000001", "1500.00"),
        ("VSOY-000011", "94.13"),
    ]
    assert len(found) == 25
    code, out, taken = answer(capsys, path, HISTORY)
    assert (code, taken < PROMPT) == (0, True), out
    assert len(json.loads(out)) == 35


def test_queries_and_verify_answer_while_a_writer_holds_the_lock(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """Current read models: licenses, preview, invoices, history and verify answer at once."""
    before = (tracking(store), events(store))
    with writer_holding(store):
        check_answers(capsys, store)
        code, out, taken = answer(capsys, store, ["verify"])
        assert (code, taken < PROMPT) == (0, True), out
        assert "132 events chained" in out
        assert "88 read-model rows compared; the log is intact" in out
    assert (tracking(store), events(store)) == before


def test_lagging_read_models_answer_from_the_events_without_waiting(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """Read models behind the log: the queries fold the events, and write nothing meanwhile."""
    current = tracking(store)
    assert current == [
        ("deliveries", 131),
        ("invoice_lines", 131),
        ("receivables", 131),
        ("subscriptions", 131),
    ]
    with sqlite3.connect(store) as connection:
        connection.execute("UPDATE severa_ledger_tracking SET position = 0")
    lagging = [
        ("deliveries", 0),
        ("invoice_lines", 0),
        ("receivables", 0),
        ("subscriptions", 0),
    ]
    assert tracking(store) == lagging
    with writer_holding(store):
        check_answers(capsys, store)
        assert tracking(store) == lagging
    code, out, _ = answer(capsys, store, LICENSES)  # the lock released: a query catches up
    assert code == 0, out
    assert tracking(store) == current


READ_MODEL_TABLES = (
    "severa_ledger_tracking",
    "severa_ledger_subscriptions",
    "severa_ledger_license_counts",
    "severa_ledger_invoice_lines",
    "severa_ledger_invoices",
    "severa_ledger_documents",
    "severa_ledger_payments",
    "severa_ledger_receivables",
)


def tables(path: Path) -> set[str]:
    """Return the store's table names."""
    with sqlite3.connect(path, timeout=0) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {str(name) for (name,) in rows}


def test_verify_with_the_read_model_tables_missing_does_not_wait_for_a_writer(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """No read-model tables and a writer holding the lock: verify checks the log at once."""
    with sqlite3.connect(store) as connection:
        for table in READ_MODEL_TABLES:
            connection.execute(f"DROP TABLE {table}")
    connection = sqlite3.connect(store, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("CREATE TABLE held (x)")
        code, out, taken = answer(capsys, store, ["verify"])
        connection.execute("ROLLBACK")
    finally:
        connection.close()
    assert (code, taken < PROMPT) == (0, True), out
    assert "132 events chained" in out
    assert "0 read-model rows compared; the log is intact" in out
    assert not tables(store) & set(READ_MODEL_TABLES)  # nothing made while the lock was held
    code, out, _ = answer(capsys, store, ["verify"])  # released: made as any query makes them
    assert code == 0, out
    assert "the log is intact" in out
    assert set(READ_MODEL_TABLES) <= tables(store)
