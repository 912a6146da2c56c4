"""``severa-ledger payments import FILE``: a bank statement pays invoices (R34)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import run, stored_log
from tests.test_payments_import import FIXTURES, bill

V02 = str(FIXTURES / "v02-nok.xml")


@pytest.fixture
def billed(db: str) -> str:
    """A SQLite store holding VSOY-000001 (900.00 NOK) and VSOY-000002 (376.50 EUR)."""
    with Ledger.open(db) as ledger:
        bill(ledger)
    return db


def test_import_prints_what_it_recorded_and_left_out(
    billed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R34: one sentence of counts, then a row per bank entry with its reason."""
    code, out, err = run(capsys, "--db", billed, "payments", "import", V02)
    assert (code, err) == (0, "")
    assert "recorded 2 payments; 0 already recorded, 2 unmatched, 4 skipped" in out
    assert "NDEA-0004" in out
    assert "not booked yet" in out
    code, out, _ = run(capsys, "--db", billed, "payments", "import", V02)
    assert "recorded 0 payments; 2 already recorded" in out


def test_import_as_json_lists_each_outcome(billed: str, capsys: pytest.CaptureFixture[str]) -> None:
    """R34: --format json: matched, already_recorded, unmatched and skipped, amounts as strings."""
    code, out, _ = run(capsys, "--db", billed, "payments", "import", V02, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert [m["invoice_number"] for m in document["matched"]] == ["VSOY-000001"] * 2
    assert document["matched"][0]["transaction"]["amount"] == "500.00"
    assert document["matched"][0]["transaction"]["booking_date"] == "2025-02-10"
    assert [u["transaction"]["bank_reference"] for u in document["unmatched"]] == [
        "NDEA-0003",
        "NDEA-0004",
    ]
    assert len(document["skipped"]) == 4


def test_dry_run_records_nothing(billed: str, capsys: pytest.CaptureFixture[str]) -> None:
    """R34: --dry-run says what it would record and leaves the store as it was."""
    with Ledger.open(billed) as ledger:
        before = stored_log(ledger)
    code, out, _ = run(capsys, "--db", billed, "payments", "import", V02, "--dry-run")
    assert code == 0
    assert "dry run, nothing recorded" in out
    assert "would record 2 payments" in out
    with Ledger.open(billed) as ledger:
        assert stored_log(ledger) == before


def test_malformed_or_missing_file_exits_2_naming_it(
    billed: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits 2 with one line naming the file, never a traceback."""
    broken = tmp_path / "broken.xml"
    broken.write_bytes(b"<Document><unclosed></Document>")
    code, _, err = run(capsys, "--db", billed, "payments", "import", str(broken))
    assert code == 2
    assert err.startswith(f"error: {broken}: not well-formed XML")
    assert "Traceback" not in err
    code, _, err = run(capsys, "--db", billed, "payments", "import", str(tmp_path / "no.xml"))
    assert code == 2
    assert "no.xml" in err
