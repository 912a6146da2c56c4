"""Partial credits on every edge, read by the same catalogue rules (R33).

The command line (``credit ... --line 2:200.00``, ``creditable``), the command
file and the JSON API take the lines the same way; amounts as in
tests/test_credit_notes.py (VSAS-000003: admin 136.65, user 900.00, 25 % VAT).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from severa_ledger import Ledger
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.web.app import create_app
from severa_ledger.web.keys import open_key_store
from tests.conftest import run, stored_log
from tests.test_credit_notes import INVOICE, two_lines
from tests.web.conftest import TestClient

D = date
NOK = Decimal
NOW = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def billed_db(db: str) -> str:
    """A SQLite store holding VSAS-000003."""
    with Ledger.open(db) as ledger:
        two_lines(ledger)
    return db


def test_credit_takes_repeated_line_options_and_reports_what_remains(
    billed_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R33: --line 1 --line 2:200.00 credits 136.65 + 200.00; 700.00 remains of line 2."""
    code, out, err = run(
        capsys, "--db", billed_db, "credit", INVOICE, "--line", "1", "--line", "2:200.00",
        "--reason", "seats", "--on", "2025-04-02", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(out)
    # 336.65 net, VAT 84.1625 -> 84.16: total 420.81
    assert (document["credit_note"], document["total"]) == ("VSAS-000004", "-420.81")
    assert (document["invoice_issue_date"], document["remaining"]) == ("2025-04-01", "700.00")
    code, out, _ = run(capsys, "--db", billed_db, "creditable", INVOICE, "--format", "json")
    left = json.loads(out)
    assert [(x["line"], x["credited"], x["remaining"]) for x in left["lines"]] == [
        (1, "136.65", "0.00"),
        (2, "200.00", "700.00"),
    ]
    assert (left["remaining"], left["credit_notes"]) == ("700.00", ["VSAS-000004"])


def test_a_back_dated_credit_on_the_command_line_exits_3_and_records_nothing(
    billed_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R33: credit VSAS-000001 on 2025-03-01 after VSAS-000003 of 2025-04-01: exit 3, both dates."""
    with Ledger.open(billed_db) as ledger:
        before = stored_log(ledger)
    code, _, err = run(
        capsys, "--db", billed_db, "credit", "VSAS-000001", "--reason", "x", "--on", "2025-03-01"
    )
    assert code == 3
    assert "2025-03-01" in err
    assert "2025-04-01" in err
    assert "Traceback" not in err
    with Ledger.open(billed_db) as ledger:
        assert stored_log(ledger) == before


def test_a_malformed_line_option_is_refused_before_anything_is_recorded(
    billed_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """R33: --line 2:-5 is no line, refused (exit 2) with what was wrong."""
    code, _, err = run(
        capsys, "--db", billed_db, "credit", INVOICE, "--line", "two", "--reason", "x",
        "--on", "2025-04-02",
    )  # fmt: skip
    assert code == 2
    assert "LINE[:AMOUNT]" in err


def test_a_command_file_credits_part_of_a_line(billed_db: str) -> None:
    """R33: a JSON line with "lines" credits as the CLI does; applied again, nothing new."""
    line = {
        "command": "credit_invoice",
        "number": INVOICE,
        "reason": "two seats",
        "on": "2025-04-02",
        "lines": {"2": "200.00"},
    }
    text = json.dumps(line) + "\n"
    with Ledger.open(billed_db) as ledger:
        apply_commands(ledger, text)
        apply_commands(ledger, text)
        notes = [v for v in ledger.invoices("C1") if v.credited_invoice == INVOICE]
        assert [(n.number, n.total) for n in notes] == [("VSAS-000004", NOK("-250.00"))]


def test_the_api_credits_lines_today_and_answers_what_remains(memory_ledger: Ledger) -> None:
    """R33: POST .../credit with lines and no date is dated today; 836.65 remains creditable."""
    two_lines(memory_ledger)
    keys = open_key_store("memory://")
    key, _ = keys.create(customer_number=None, label="test", now=NOW)
    operator = {"Authorization": f"Bearer {key}"}
    app = create_app(memory_ledger, keys, secret=b"s" * 32, today=lambda: D(2025, 4, 2))
    client = TestClient(app, raise_server_exceptions=False)
    body: dict[str, object] = {"reason": "two seats", "lines": {"2": "200.00"}}
    answer = client.post(f"/api/v1/invoices/{INVOICE}/credit", json=body, headers=operator)
    assert answer.status_code == 200, answer.text
    assert answer.json()["number"] == "VSAS-000004"
    assert memory_ledger.invoice("VSAS-000004").issue_date == D(2025, 4, 2)
    left = client.get(f"/api/v1/invoices/{INVOICE}/creditable", headers=operator).json()
    assert (left["remaining"], left["credited"]) == ("836.65", "200.00")
    note = client.get("/api/v1/invoices/VSAS-000004", headers=operator).json()
    assert (note["credited_invoice"], note["credited_issue_date"]) == (INVOICE, "2025-04-01")
    body["lines"] = {"2": 200.5}  # money is never a float (R11)
    refused = client.post(f"/api/v1/invoices/{INVOICE}/credit", json=body, headers=operator)
    assert refused.status_code == 400  # a malformed value, as a float payment is
