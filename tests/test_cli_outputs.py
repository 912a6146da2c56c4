"""The CLI never destroys a store or a file it was not asked to overwrite (issue 23).

Measured before: ``invoice VSOY-000007 --format ubl -o d5.db`` replaced the live store
with 4,864 bytes of XML, and ``export --output demo.db`` left it empty, exit 0.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import run, stored_log


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store, billed through 2025-08-31, made once by ``severa-ledger demo``."""
    folder = tmp_path_factory.mktemp("outputs")
    path = folder / "d5.db"
    from severa_ledger.cli import main  # noqa: PLC0415 -- the CLI under test

    assert main(["--db", f"sqlite:///{path}", "demo", "--format", "json"]) == 0
    return path


def _bytes(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.parent.glob(f"{path.name}*"))}


@pytest.mark.parametrize(
    "argv",
    [
        ["invoice", "VSOY-000007", "--format", "ubl", "-o", "{store}"],
        ["invoice", "VSOY-000007", "--format", "ubl", "-o", "{store}", "--force"],
        ["invoice", "VSOY-000007", "--format", "pdf", "-o", "{store}-wal", "--force"],
        ["order", "1002", "1", "--format", "pdf", "-o", "{store}"],
        ["export", "--output", "{store}"],
        ["export", "--output", "{store}", "--force"],
        ["export", "--format", "csv", "--output", "{store}-shm", "--force"],
    ],
    ids=lambda argv: " ".join(argv).replace("{store}", "STORE"),
)
def test_an_output_naming_the_store_is_refused_even_with_force(
    capsys: pytest.CaptureFixture[str], demo_file: Path, argv: list[str]
) -> None:
    """Exit 2 naming the store; the store's files byte for byte as before; verify still ok."""
    before = _bytes(demo_file)
    args = [a.replace("{store}", str(demo_file)) for a in argv]
    code, out, err = run(capsys, "--db", f"sqlite:///{demo_file}", *args)
    assert (code, out) == (2, "")
    assert "is the store in use" in err
    assert _bytes(demo_file) == before
    with Ledger.open(f"sqlite:///{demo_file}", create=False) as ledger:
        assert ledger.verify().ok


def test_an_existing_file_is_kept_unless_force_is_given(
    capsys: pytest.CaptureFixture[str], demo_file: Path, tmp_path: Path
) -> None:
    """-o onto an existing file: exit 2 and the file untouched; with --force it is replaced."""
    target = tmp_path / "notes.xml"
    target.write_bytes(b"my notes")
    url = f"sqlite:///{demo_file}"
    code, _, err = run(capsys, "--db", url, "invoice", "VSOY-000007", "--format", "ubl",
                       "-o", str(target))  # fmt: skip
    assert code == 2
    assert f"{target} already exists" in err
    assert target.read_bytes() == b"my notes"
    code, _, _ = run(capsys, "--db", url, "invoice", "VSOY-000007", "--format", "ubl",
                     "-o", str(target), "--force")  # fmt: skip
    assert code == 0
    with Ledger.open(url, create=False) as ledger:
        assert target.read_bytes() == ledger.invoice_xml("VSOY-000007")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.xml"]  # no temporary file left


def test_a_written_document_has_the_mode_the_umask_gives(
    capsys: pytest.CaptureFixture[str], demo_file: Path, tmp_path: Path
) -> None:
    """Umask 027: a new document is 0640 (not a temporary file's 0600), an export too."""
    url = f"sqlite:///{demo_file}"
    old = os.umask(0o027)
    try:
        assert run(capsys, "--db", url, "invoice", "VSOY-000007", "--format", "pdf",
                   "-o", str(tmp_path / "a.pdf"))[0] == 0  # fmt: skip
        assert run(capsys, "--db", url, "export", "--output", str(tmp_path / "log.jsonl"))[0] == 0
        assert run(capsys, "--db", url, "documents", "--from", "2025-06-01", "--to",
                   "2025-06-30", "-o", str(tmp_path / "june"))[0] == 0  # fmt: skip
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.rglob("*") if p.is_file()}
    assert set(modes.values()) == {0o640}, modes
    assert len(modes) == 6  # a.pdf, log.jsonl and June's two invoices as XML and PDF


def test_a_refused_output_records_nothing(
    capsys: pytest.CaptureFixture[str], demo_file: Path, tmp_path: Path
) -> None:
    """The documents folder export refuses before writing any file when one exists."""
    folder = tmp_path / "june"
    folder.mkdir()
    (folder / "VSOY-000007.pdf").write_bytes(b"kept")
    url = f"sqlite:///{demo_file}"
    with Ledger.open(url, create=False) as ledger:
        before = stored_log(ledger)
    code, _, err = run(capsys, "--db", url, "documents", "--from", "2025-06-01", "--to",
                       "2025-06-30", "-o", str(folder))  # fmt: skip
    assert code == 2
    assert "VSOY-000007.pdf already exists" in err
    assert sorted(p.name for p in folder.iterdir()) == ["VSOY-000007.pdf"]
    assert (folder / "VSOY-000007.pdf").read_bytes() == b"kept"
    with Ledger.open(url, create=False) as ledger:
        assert stored_log(ledger) == before
