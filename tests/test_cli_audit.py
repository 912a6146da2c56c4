"""The auditor's commands: verify (exit 0, 1 or 2), seal, export, --known-at."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from severa_ledger.cli import main
from tests.conftest import run
from tests.tamper import Tamper


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """The demo database (``severa-ledger demo``), as in docs/auditing.md."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert run(capsys, "--db", url, "demo")[0] == 0
    return url


def test_verify_exits_0_on_the_demo(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    """132 events chained, 25 orders and invoices re-derived, the log intact."""
    code, out, _ = run(capsys, "--db", demo, "verify")
    assert code == 0
    assert out.startswith("verified: 132 events chained; 25 orders and 25 invoices of 4")


def test_verify_exits_1_and_names_the_position_after_tampering(
    demo: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Event 10 deleted: exit 1, 'deleted at 10' in the table and in the JSON."""
    Tamper(demo).delete(10)
    code, out, _ = run(capsys, "--db", demo, "verify")
    assert code == 1
    assert "NOT verified: the log does not match its chain (deleted at 10)" in out
    code, out, _ = run(capsys, "verify", "--db", demo, "--format", "json")
    report = json.loads(out)
    assert (code, report["ok"], report["chain"]["problem"]["kind"]) == (1, False, "deleted")
    assert report["chain"]["problem"]["position"] == 10


def test_seal_prints_json_that_verify_accepts(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The seal as a file or inline JSON: exit 0 while the log extends it."""
    code, out, _ = run(capsys, "--db", demo, "seal")
    seal = json.loads(out)
    assert (code, seal["position"], seal["events"]) == (0, 132, 132)
    (tmp_path / "seal.json").write_text(out)
    assert run(capsys, "--db", demo, "verify", "--seal", str(tmp_path / "seal.json"))[0] == 0
    assert run(capsys, "--db", demo, "verify", "--seal", out.strip())[0] == 0


def test_a_bad_seal_exits_2(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A seal that is not one: the error on stderr, exit 2."""
    code, _, err = run(capsys, "--db", demo, "verify", "--seal", '{"position": 1}')
    assert code == 2
    assert err.startswith("error: not a severa-ledger seal")


def test_export_writes_jsonl_filtered(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1002 from 2025-06-01 to 2025-06-30: the added user's purchase, order, activation, invoice."""
    output = tmp_path / "1002.jsonl"
    argv = ["--db", demo, "export", "--format", "jsonl", "--customer", "1002",
            "--from", "2025-06-01", "--to", "2025-06-30", "--output", str(output)]  # fmt: skip
    assert run(capsys, *argv)[0] == 0
    records = [json.loads(line) for line in output.read_text().splitlines()]
    assert [(r["event_type"], r["effective_date"]) for r in records] == [
        ("LicensesBought", "2025-06-05"),
        ("OrderConfirmed", "2025-06-05"),
        ("UserActivated", "2025-06-05"),
        ("InvoiceIssued", "2025-06-09"),
    ]
    code, out, _ = run(capsys, "--db", demo, "export")
    assert code == 0
    assert len(out.splitlines()) == 132


def test_known_at_on_the_query_commands(demo: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Before anything was recorded nothing is known; a naive instant is refused."""
    code, _, err = run(capsys, "--db", demo, "licenses", "1002", "--known-at", "2000-01-01T00:00Z")
    assert code == 3  # a business rule
    assert "was recorded by 2000-01-01T00:00:00+00:00" in err
    code, out, _ = run(capsys, "--db", demo, "invoices", "--known-at", "2000-01-01T00:00Z")
    assert code == 0
    assert "VSOY" not in out
    for command in ("licenses 1002", "preview 1002", "invoice VSOY-000007", "history 1002"):
        code, _, _ = run(capsys, "--db", demo, *command.split(), "--known-at", "2999-01-01T00:00Z")
        assert code == 0, command
    with pytest.raises(SystemExit) as refused:
        main(["--db", demo, "licenses", "1002", "--known-at", "2025-06-10T12:00"])
    assert refused.value.code == 2
