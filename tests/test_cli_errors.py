"""The command line's failures: one exit code per kind, one line (or one JSON object) each."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from severa_ledger.cli import main
from tests.conftest import OPEN_C1, PG_HOST, PG_PORT, pg_schema_url, run

if TYPE_CHECKING:
    from collections.abc import Iterator

BUY = (
    '{"command": "buy_licenses", "customer_number": "C1", "kind": "user", "quantity": 3, '
    '"on": "2025-05-01"}'
)
NO_FREE_LICENSE = (
    '{"command": "activate_user", "customer_number": "C1", "user_id": "kari", "on": "2025-05-02"}'
)


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A SQLite store holding C1 with three licenses."""
    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert run(capsys, "--db", url, "init")[0] == 0
    (tmp_path / "c1.jsonl").write_text(f"{OPEN_C1}\n{BUY}\n", encoding="utf-8")
    assert run(capsys, "--db", url, "apply", str(tmp_path / "c1.jsonl"))[0] == 0
    return url


def _file(tmp_path: Path, text: str) -> str:
    path = tmp_path / f"{uuid.uuid4().hex}.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    return str(path)


def test_each_kind_of_failure_has_its_exit_code(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """2 bad input, 3 a business rule, 4 the store: one line on stderr each."""
    (tmp_path / "notes.txt").write_text("not a database\n", encoding="utf-8")
    cases = [
        (2, ["--db", store, "apply", _file(tmp_path, "{not json")]),
        (2, ["--db", store, "apply", str(tmp_path / "absent.jsonl")]),
        (3, ["--db", store, "licenses", "NOBODY"]),
        (3, ["--db", store, "apply", _file(tmp_path, NO_FREE_LICENSE.replace("C1", "C2"))]),
        (4, ["--db", f"sqlite:///{tmp_path / 'notes.txt'}", "licenses", "C1"]),
    ]
    for expected, argv in cases:
        code, _, err = run(capsys, *argv)
        assert (code, err.count("\n"), err[:7]) == (expected, 1, "error: "), (argv, err)


def test_a_usage_error_exits_2(capsys: pytest.CaptureFixture[str], store: str) -> None:
    """Arguments argparse refuses: exit 2 with the usage."""
    with pytest.raises(SystemExit) as refused:
        main(["--db", store, "licenses"])
    assert refused.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_a_refusal_with_format_json_is_one_json_object_on_stderr(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """The error's class, message, first rule cited and exit code, as one JSON object."""
    users = "\n".join(NO_FREE_LICENSE.replace("kari", name) for name in ("a", "b", "c", "d"))
    code, out, err = run(capsys, "--db", store, "apply", _file(tmp_path, users), "--format", "json")
    document = json.loads(err)
    assert (code, out) == (3, "")
    assert document["error"] == "NoFreeLicenseError"
    assert document["rule"] == "R5"
    assert document["exit"] == 3
    assert "line 4" in document["message"]
    code, _, err = run(capsys, "--db", store, "licenses", "NOBODY", "--format", "json")
    assert json.loads(err) == {
        "error": "SubscriptionNotFoundError",
        "message": "no subscription for customer 'NOBODY'",
        "rule": None,
        "exit": 3,
    }


READ_ONLY = [
    ["licenses", "C1"],
    ["preview", "C1"],
    ["invoices"],
    ["invoice", "VSOY-000001"],
    ["history", "C1"],
    ["verify"],
    ["seal"],
    ["export"],
    ["projections", "status"],
]


@pytest.mark.parametrize("command", READ_ONLY, ids=" ".join)
def test_a_read_never_creates_a_missing_sqlite_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: list[str]
) -> None:
    """A typo in --db is refused with exit 4 naming the path; no file appears."""
    path = tmp_path / "typo.db"
    code, out, err = run(capsys, "--db", f"sqlite:///{path}", *command)
    assert (code, out) == (4, "")
    assert f"no store at {path}: the file does not exist (nothing was created" in err
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_apply_to_a_mistyped_store_is_refused_and_init_creates_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """apply needs a store; init creates it and says so, twice is harmless; demo creates its own."""
    commands = _file(tmp_path, OPEN_C1)
    path = tmp_path / "new.db"
    url = f"sqlite:///{path}"
    assert run(capsys, "--db", url, "apply", commands)[0] == 4
    assert not path.exists()
    code, out, _ = run(capsys, "--db", url, "init")
    assert (code, out.strip()) == (0, f"created an empty ledger at {path}")
    code, out, _ = run(capsys, "--db", url, "init")
    assert (code, out.strip()) == (0, f"a ledger already exists at {path}: nothing was changed")
    assert run(capsys, "--db", url, "apply", commands)[0] == 0
    demo = tmp_path / "demo.db"
    assert run(capsys, "--db", f"sqlite:///{demo}", "demo")[0] == 0
    assert demo.exists()


def test_a_file_that_is_not_a_database_is_one_line_exit_4(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A text file given as the store: no traceback, the path named."""
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 100, encoding="utf-8")
    code, _, err = run(capsys, "--db", f"sqlite:///{notes}", "verify")
    assert (code, err) == (4, f"error: {notes} is not a SQLite database\n")


def test_an_unreachable_server_fails_fast_with_the_drivers_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing listens on port 5999: the driver's 'refused' in one line, within seconds."""
    started = time.monotonic()
    code, _, err = run(capsys, "--db", f"postgresql://postgres@{PG_HOST}:5999/test", "verify")
    assert time.monotonic() - started < 15
    assert code == 4
    assert err.count("\n") == 1
    assert err.startswith(f"error: PostgreSQL at {PG_HOST}:5999 (database 'test')")
    assert "refused" in err.lower()


@pytest.fixture
def pg_schemaless() -> Iterator[str]:
    """A URL naming a schema that does not exist yet (dropped after, if a command made it)."""
    for url in pg_schema_url():  # skips without a server
        base = url.split("?")[0]
        name = f"t_{uuid.uuid4().hex[:16]}"
        yield f"{base}?schema={name}"
        import psycopg  # noqa: PLC0415 -- the postgres extra

        conninfo = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=test"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


def test_a_missing_schema_says_how_to_create_it_and_a_write_creates_it(
    capsys: pytest.CaptureFixture[str], pg_schemaless: str, tmp_path: Path
) -> None:
    """A read or a write: exit 4 naming init and CREATE SCHEMA; init creates the schema."""
    name = pg_schemaless.rpartition("=")[2]
    code, _, err = run(capsys, "--db", pg_schemaless, "licenses", "C1")
    assert code == 4
    assert f'CREATE SCHEMA "{name}"' in err
    assert "init" in err
    assert err.count("\n") == 1
    assert run(capsys, "--db", pg_schemaless, "apply", _file(tmp_path, OPEN_C1))[0] == 4
    assert run(capsys, "--db", pg_schemaless, "init")[0] == 0
    assert run(capsys, "--db", pg_schemaless, "apply", _file(tmp_path, OPEN_C1))[0] == 0
    assert run(capsys, "--db", pg_schemaless, "licenses", "C1")[0] == 0


def test_a_ten_megabyte_customer_number_yields_a_short_message(
    capsys: pytest.CaptureFixture[str], store: str
) -> None:
    """Values over 200 characters are shown as their first 60 and their length."""
    customer = "x" * 10_000_000
    code, _, err = run(capsys, "--db", store, "licenses", customer)
    assert code == 3
    assert len(err) < 300
    assert "… (10000002 characters)" in err
    with pytest.raises(SystemExit):
        main(["--db", store, "licenses", "C1", "--as-of", "9" * 5000])
    err = capsys.readouterr().err
    assert len(err) < 1000
    assert "(5002 characters)" in err


READ_ONLY_QUERIES = """
import sys
from severa_ledger import Ledger
from severa_ledger.cli import main
url = sys.argv[1]
with Ledger.open(url, create=False) as ledger:
    counts = ledger.license_counts("C1")["user"]
    invoices = ledger.invoices()
    print(counts.licenses, len(invoices))
sys.exit(main(["--db", url, "licenses", "C1", "--format", "json"]))
"""


def _unprivileged() -> list[str]:
    """Return the prefix running a command that the copy's modes bind (root's too).

    Root keeps its user id, so it still reads the package and the interpreter from a
    folder other users cannot enter (a clone under ``mktemp -d``), but runs without
    capabilities: without CAP_DAC_OVERRIDE, the owner's read-only modes bind it.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: chmod cannot make a file read-only")
    return [setpriv, "--bounding-set=-all", "--inh-caps=-all"]


def test_queries_on_a_read_only_copy_with_lagging_read_models_answer_from_the_events(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """chmod a-w on the file and its folder: licenses and invoices answer, nothing written."""
    db = Path(store.removeprefix("sqlite:///"))
    assert run(capsys, "--db", store, "licenses", "C1")[0] == 0  # read models current
    more = BUY.replace('"quantity": 3', '"quantity": 2').replace("05-01", "05-03")
    assert run(capsys, "--db", store, "apply", _file(tmp_path, more))[0] == 0  # now they lag
    folder = Path(tempfile.mkdtemp(prefix="severa-ro-"))
    try:
        copy = folder / "copy.db"
        shutil.copyfile(db, copy)
        before = copy.read_bytes()
        copy.chmod(0o444)
        folder.chmod(0o555)
        done = subprocess.run(  # noqa: S603 -- our interpreter, our script
            [*_unprivileged(), sys.executable, "-c", READ_ONLY_QUERIES, f"sqlite:///{copy}"],
            capture_output=True, text=True, check=False, cwd=folder, timeout=120,
        )  # fmt: skip
        assert (done.returncode, done.stderr) == (0, ""), done.stderr[-2000:]
        first, document = done.stdout.split("\n", 1)
        assert first == "5 0"
        assert json.loads(document)["licenses"]["user"]["licenses"] == 5
        assert copy.read_bytes() == before
        assert sorted(p.name for p in folder.iterdir()) == ["copy.db"]
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder)


def test_no_free_license_suggests_the_cli_spelling_on_the_command_line_and_in_files(
    capsys: pytest.CaptureFixture[str], store: str, tmp_path: Path
) -> None:
    """R5 refusal: `--buy-if-needed` on the CLI, `"buy_if_needed": true` in a file, not Python."""
    for user in ("kari", "ola", "per"):
        assert run(capsys, "--db", store, "activate", "C1", user, "--on", "2025-05-02")[0] == 0
    code, _, err = run(capsys, "--db", store, "activate", "C1", "zoe", "--on", "2025-05-02")
    assert code == 3
    assert "(R5; add --buy-if-needed to buy one)" in err
    assert "buy_if_needed=True" not in err
    zoe = NO_FREE_LICENSE.replace("kari", "zoe")
    code, _, err = run(capsys, "--db", store, "apply", _file(tmp_path, zoe))
    assert code == 3
    assert 'add "buy_if_needed": true to buy one' in err
    assert "buy_if_needed=True" not in err
    code, out, _ = run(capsys, "--db", store, "licenses", "C1", "--format", "json")
    held = json.loads(out)["licenses"]["user"]  # neither refusal recorded anything
    assert (code, held["licenses"], held["active_users"]) == (0, 3, 3), held
