"""An OS error in writing an output file names the user's path, not a temporary (issue 26, item 8)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from severa_ledger.ledger.files import write_whole
from tests.conftest import run


def test_an_output_that_is_a_folder_is_named_not_the_temporary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """-o a folder with --force: exit 2, "Is a directory: '<path>'", no temporary left behind."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run(capsys, "--db", url, "demo")[0] == 0
    folder = tmp_path / "out.xml"
    folder.mkdir()
    argv = ("invoice", "VSOY-000002", "--format", "ubl", "-o", str(folder), "--force")
    code, out, err = run(capsys, "--db", url, *argv)
    assert (code, out) == (2, "")
    assert err == f"error: [Errno 21] Is a directory: '{folder}'\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db", "out.xml"]


def test_a_temporary_that_cannot_be_made_is_reported_as_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mkstemp refused (a folder not writable): the PermissionError names the path asked for."""

    def refuse(**_: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.pdf.abc123"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as refused:
        write_whole(tmp_path / "x.pdf", b"%PDF")
    assert str(refused.value) == f"[Errno 13] Permission denied: '{tmp_path / 'x.pdf'}'"
