"""Invoice tables on a 100-column terminal show every number, date and amount whole (issue 26)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import run

WIDTH = 100
WHOLE = ("number", "issue_date", "due_date", "currency", "net", "vat", "total", "paid", "open")


@pytest.fixture
def demo(capsys: pytest.CaptureFixture[str], db: str) -> str:
    """The demo store, with one invoice credited (a credit note's row is taller)."""
    assert run(capsys, "--db", db, "demo")[0] == 0
    credit = ("credit", "VSOY-000007", "--reason", "wrong seats", "--on", "2025-08-31")
    assert run(capsys, "--db", db, *credit)[0] == 0
    return db


def rows_of(capsys: pytest.CaptureFixture[str], db: str, *argv: str) -> list[dict[str, str]]:
    code, out, _ = run(capsys, "--db", db, *argv, "--format", "csv")
    assert code == 0
    return list(csv.DictReader(io.StringIO(out)))


@pytest.mark.parametrize("command", [("invoices",), ("receivables", "1002")])
def test_invoice_tables_on_a_100_column_terminal_cut_no_number_or_date(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    demo: str,
    command: tuple[str, ...],
) -> None:
    """COLUMNS=100: each invoice's row holds its number, dates and amounts whole, no line wider."""
    expected = rows_of(capsys, demo, "invoices", "--as-of", "2025-08-31", "--limit", "1000")
    if command[0] == "receivables":
        expected = [row for row in expected if row["customer"] == "1002"]
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    limit = ("--limit", "1000") if command[0] == "invoices" else ()
    code, out, _ = run(capsys, "--db", demo, *command, "--as-of", "2025-08-31", *limit)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert "…" not in out
    for row in expected:
        line = next(line for line in lines if line.startswith(row["number"] + " "))
        cells = line.split()
        assert [c for c in WHOLE if row[c] not in cells] == [], line
    credited = [row["number"] for row in expected if row["type"] == "credit note"]
    assert credited, "the demo's credit note is listed"
    for number in credited:  # the mark under the number, not beside it
        at = next(i for i, line in enumerate(lines) if line.startswith(number + " "))
        assert lines[at + 1].strip() == "(credit)"
