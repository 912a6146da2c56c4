"""The command line never destroys or invents a store (issue 23, item 5).

An output path that is the store (or a file SQLite keeps beside it) is refused
even with --force; an existing file is refused unless --force; outputs are
written whole with the umask's mode; only init and demo create a store.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.cli import main
from severa_ledger.reader.read_models import projections
from tests.conftest import OPEN_C1, run

JUNE = ["--from", "2025-06-01", "--to", "2025-06-30"]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file holding the demo scenario, made once for the module."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert main(["--db", f"sqlite:///{path}", "demo"]) == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["demo.db"]
    return path


@pytest.fixture
def store(demo_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A copy of the demo store in this test's own folder (the current directory)."""
    capsys.readouterr()
    path = tmp_path / "d5.db"
    shutil.copyfile(demo_file, path)
    return path


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process's umask after a test that sets it."""
    kept = os.umask(0o022)
    os.umask(kept)
    yield
    os.umask(kept)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _writes_to(target: Path) -> list[list[str]]:
    """Every command line that writes a file or folder, each aimed at ``target``."""
    return [
        ["invoice", "VSOY-000007", "--format", "ubl", "-o", str(target)],
        ["invoice", "VSOY-000007", "--format", "pdf", "-o", str(target)],
        ["order", "1002", "1", "--format", "pdf", "-o", str(target)],
        ["export", "--output", str(target)],
        ["export", "--format", "csv", "--output", str(target)],
        ["documents", *JUNE, "-o", str(target)],
    ]


def _outputs(store: Path) -> list[Path]:
    """The store and each way of naming it or the files beside it."""
    link = store.parent / "link.db"
    link.symlink_to(store.name)
    hard = store.parent / "hard.db"
    hard.hardlink_to(store)
    companions = [Path(f"{store}{suffix}") for suffix in ("-wal", "-shm", "-journal")]
    relative = Path(os.path.relpath(store))
    return [store, relative, link, hard, *companions]


def test_no_output_is_ever_the_store_even_with_force(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """Each output option aimed at the store, a link to it or its companions: exit 2, unchanged."""
    before = store.read_bytes()
    for output in _outputs(store):
        for argv in _writes_to(output):
            for force in ([], ["--force"]):
                code, out, err = run(capsys, "--db", _url(store), *argv, *force)
                assert (code, out) == (2, ""), argv
                assert err.startswith(f"error: {output} is "), err
                assert "never overwrites the store, not even with --force" in err
                assert err.count("\n") == 1
    assert store.read_bytes() == before
    names = ["d5.db", "hard.db", "link.db"]
    assert sorted(p.name for p in store.parent.iterdir()) == names


def test_the_measured_case_leaves_the_store_intact(
    capsys: pytest.CaptureFixture[str], store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """invoice --format ubl -o d5.db in the store's folder: refused, and verify still passes."""
    monkeypatch.chdir(store.parent)
    code, _, err = run(
        capsys,
        "--db",
        "sqlite:///d5.db",
        "invoice",
        "VSOY-000007",
        "--format",
        "ubl",
        "-o",
        "d5.db",
    )
    assert code == 2
    assert err == (
        f"error: d5.db is the store in use ({store}): an output never overwrites the store, "
        "not even with --force; choose another path\n"
    )
    code, out, _ = run(capsys, "--db", "sqlite:///d5.db", "verify")
    assert code == 0
    assert "the log is intact" in out


def test_an_existing_file_is_refused_unless_force(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """An existing output file: exit 2 naming it and --force, untouched; --force replaces it."""
    target = store.parent / "kept.txt"
    for argv in _writes_to(target)[:5]:
        target.write_bytes(b"keep me\n")
        code, out, err = run(capsys, "--db", _url(store), *argv)
        assert (code, out) == (2, "")
        assert err == (
            f"error: {target} already exists: choose another path, or --force overwrites it\n"
        )
        assert target.read_bytes() == b"keep me\n"
        assert run(capsys, "--db", _url(store), *argv, "--force")[0] == 0
        assert target.read_bytes() != b"keep me\n"
        assert sorted(p.name for p in store.parent.iterdir()) == ["d5.db", "kept.txt"]


def test_the_xml_written_is_the_invoices_whole(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """invoice --format ubl -o FILE writes the invoice's EHF XML, every byte."""
    target = store.parent / "VSOY-000007.xml"
    argv = ["invoice", "VSOY-000007", "--format", "ubl", "-o", str(target)]
    assert run(capsys, "--db", _url(store), *argv) == (0, "", "")
    with Ledger.open(_url(store), create=False) as ledger:
        assert target.read_bytes() == ledger.invoice_xml("VSOY-000007")
    written = target.read_bytes()
    assert written.startswith(b"<?xml")
    assert written.rstrip().endswith(b"</Invoice>")
    # R30 by hand: KID MOD10 of sequence 7: payload 0000007, Luhn doubles 7 -> 14 -> 5, check 5.
    assert b"<cbc:PaymentID>00000075</cbc:PaymentID>" in written
    assert b"<cbc:ID>VSOY-000007</cbc:ID>" in written


def test_documents_refuse_an_existing_file_and_write_nothing(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """One of the four June files exists: exit 2 naming it, nothing else written; --force."""
    folder = store.parent / "june"
    folder.mkdir()
    (folder / "VSOY-000007.xml").write_bytes(b"old\n")
    code, out, err = run(capsys, "--db", _url(store), "documents", *JUNE, "-o", str(folder))
    assert (code, out) == (2, "")
    assert err == (
        f"error: {folder / 'VSOY-000007.xml'} already exists: choose another folder, or "
        "--force overwrites them\n"
    )
    assert [p.name for p in folder.iterdir()] == ["VSOY-000007.xml"]
    assert (folder / "VSOY-000007.xml").read_bytes() == b"old\n"
    code, out, _ = run(
        capsys, "--db", _url(store), "documents", *JUNE, "-o", str(folder), "--force"
    )
    assert (code, out) == (0, f"4 files for 2 documents in {folder}\n")
    names = ["VSOY-000006.pdf", "VSOY-000006.xml", "VSOY-000007.pdf", "VSOY-000007.xml"]
    assert sorted(p.name for p in folder.iterdir()) == names  # no hidden staging folder left
    assert (folder / "VSOY-000007.xml").read_bytes().startswith(b"<?xml")


def test_documents_never_write_into_the_store(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """A store named like a document it would write: refused even with --force, unchanged."""
    folder = store.parent / "june"
    folder.mkdir()
    named = folder / "VSOY-000007.xml"
    store.rename(named)
    before = named.read_bytes()
    code, _, err = run(
        capsys, "--db", _url(named), "documents", *JUNE, "-o", str(folder), "--force"
    )
    assert code == 2
    assert err.startswith(f"error: {named} is the store in use")
    assert named.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["VSOY-000007.xml"]


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077, 0o002])
def test_a_new_file_has_the_mode_the_umask_gives(
    capsys: pytest.CaptureFixture[str], store: Path, umask: None, mask: int
) -> None:
    """invoice -o, export --output and documents create files 0o666 less the umask."""
    os.umask(mask)
    folder = store.parent
    assert run(capsys, "--db", _url(store), *_writes_to(folder / "a.xml")[0])[0] == 0
    assert run(capsys, "--db", _url(store), *_writes_to(folder / "b.jsonl")[3])[0] == 0
    assert (
        run(
            capsys,
            "--db",
            _url(store),
            "documents",
            *JUNE,
            "--formats",
            "ubl",
            "-o",
            str(folder / "out"),
        )[0]
        == 0
    )
    written = [folder / "a.xml", folder / "b.jsonl", *(folder / "out").iterdir()]
    assert [p.stat().st_mode & 0o777 for p in written] == [0o666 & ~mask] * 4


def test_an_overwritten_file_keeps_its_mode(
    capsys: pytest.CaptureFixture[str], store: Path
) -> None:
    """--force replaces the content and keeps the file's mode, as open('w') would."""
    target = store.parent / "log.jsonl"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o600)
    assert run(capsys, "--db", _url(store), "export", "--output", str(target), "--force")[0] == 0
    assert target.stat().st_mode & 0o777 == 0o600
    assert target.read_text(encoding="utf-8").startswith('{"')


def test_a_refused_export_leaves_no_file(capsys: pytest.CaptureFixture[str], store: Path) -> None:
    """An unknown customer (exit 3) and a missing folder (exit 2) leave no file, no temporary."""
    target = store.parent / "log.jsonl"
    code, _, err = run(
        capsys, "--db", _url(store), "export", "--customer", "NOPE", "--output", str(target)
    )
    assert code == 3
    missing = store.parent / "no-such-folder" / "log.jsonl"
    code, _, err = run(capsys, "--db", _url(store), "export", "--output", str(missing))
    assert (code, err) == (
        2,
        f"error: {missing}: the folder {missing.parent} does not exist\n",
    )
    assert [p.name for p in store.parent.iterdir()] == ["d5.db"]


def test_init_creates_an_empty_store_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """init creates the file and says so; again, it says it exists and changes no byte."""
    path = tmp_path / "new.db"
    assert run(capsys, "--db", _url(path), "init") == (
        0,
        f"created an empty ledger at {path}\n",
        "",
    )
    before = path.read_bytes()
    assert run(capsys, "--db", _url(path), "init") == (
        0,
        f"a ledger already exists at {path}: nothing was changed\n",
        "",
    )
    assert path.read_bytes() == before
    code, out, _ = run(capsys, "--db", _url(path), "invoices", "--format", "json")
    assert (code, out) == (0, "[]\n")


def test_init_refuses_a_file_that_is_not_a_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """init on a text file: exit 4, the file unchanged."""
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 100, encoding="utf-8")
    code, _, err = run(capsys, "--db", _url(notes), "init")
    assert (code, err) == (4, f"error: {notes} is not a SQLite database\n")
    assert notes.read_text(encoding="utf-8") == "shopping list\n" * 100


def _write_commands(folder: Path) -> list[list[str]]:
    commands = folder / "commands.jsonl"
    commands.write_text(OPEN_C1 + "\n", encoding="utf-8")
    on = ["--on", "2025-06-20"]
    return [
        ["bill", "--through", "2025-06-30"],
        ["bill", "--today"],
        ["bill", "--through", "2025-06-30", "--dry-run"],
        ["apply", str(commands)],
        ["apply", "--check", str(commands)],
        ["pay", "VSOY-000002", "185.87", *on],
        ["credit", "VSOY-000002", "--reason", "seats", *on],
        ["buy", "C1", "user", "2", *on],
        ["remove", "C1", "user", "1", *on],
        ["activate", "C1", "kari", *on],
        ["deactivate", "C1", "ola", *on, "--remove-license"],
        ["documents", *JUNE, "-o", str(folder / "out")],
        ["export", "--output", str(folder / "log.jsonl")],
        ["invoice", "VSOY-000007", "--format", "ubl", "-o", str(folder / "x.xml")],
        ["projections", "catch-up"],
        ["projections", "rebuild", projections()[0].name],
        ["projections", "follow", "--seconds", "0"],
        ["keys", "create", "--operator"],
        ["keys", "login-link", "--customer", "1002"],
        ["keys", "revoke", "3f2a9c0b1d4e"],
        ["keys", "list"],
        ["serve"],
        ["seal", "--extend", "--format", "table"],
        ["seal", "--format", "table"],
        ["verify"],
    ]


def test_a_mistyped_db_creates_nothing_for_any_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every command but init and demo on a missing file: exit 4 with the init advice, no file."""
    path = tmp_path / "typo.db"
    for argv in _write_commands(tmp_path):
        code, out, err = run(capsys, "--db", _url(path), *argv)
        assert (code, out) == (4, ""), argv
        assert err == (
            f"error: no store at {path}: the file does not exist (nothing was created; "
            "`severa-ledger init` creates an empty one)\n"
        ), argv
        assert sorted(p.name for p in tmp_path.iterdir()) == ["commands.jsonl"], argv
