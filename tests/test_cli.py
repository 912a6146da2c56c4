"""The severa-ledger command line, run in-process against a SQLite file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from severa_ledger import InvalidCommandError, InvalidValueError, Ledger, SubscriptionNotFoundError
from severa_ledger.cli import main
from severa_ledger.cli.commands_file import apply_commands, command_id_for, file_digest
from severa_ledger.cli.demo import seed_addition_invoice
from tests.conftest import OPEN_C1, run

if TYPE_CHECKING:
    from pathlib import Path

# C1 (quarterly from 2025-05-01): 3 bought; kari, ola active; 1 removal pending for
# 2025-08-01; on 2025-06-05 buying 2 cancels that removal and adds 1 (R4): 4 held.
C1_FILE = f"""# C1's first quarter
{OPEN_C1}
{{"command": "buy_licenses", "customer_number": "C1", "kind": "user", "quantity": 3, "on": "2025-05-01"}}

{{"command": "activate_user", "customer_number": "C1", "user_id": "kari", "on": "2025-05-02"}}
{{"command": "activate_user", "customer_number": "C1", "user_id": "ola", "on": "2025-05-02"}}
{{"command": "remove_licenses", "customer_number": "C1", "kind": "user", "quantity": 1, "on": "2025-05-20"}}
{{"command": "buy_licenses", "customer_number": "C1", "kind": "user", "quantity": 2, "on": "2025-06-05", "command_id": "buy-2025-06-05"}}
{{"command": "activate_user", "customer_number": "C1", "user_id": "per", "on": "2025-06-05"}}
"""


@pytest.fixture
def c1_file(tmp_path: Path) -> Path:
    path = tmp_path / "c1.jsonl"
    path.write_text(C1_FILE, encoding="utf-8")
    return path


def history_length(db: str, customer: str) -> int:
    with Ledger.open(db) as ledger:
        return len(ledger.history(customer))


def licenses(capsys: pytest.CaptureFixture[str], db: str, as_of: str) -> dict[str, object]:
    code, out, _ = run(capsys, "--db", db, "licenses", "C1", "--as-of", as_of, "--format", "json")
    assert code == 0
    counts: dict[str, object] = json.loads(out)["licenses"]["user"]
    return counts


def test_apply_then_licenses_reports_the_counts_of_the_file(capsys, db, c1_file):
    """Applying a file records its commands; licenses --format json reports them (R3-R5)."""
    code, out, _ = run(capsys, "--db", db, "apply", str(c1_file))
    assert code == 0
    assert "applied 7 command lines" in out
    assert licenses(capsys, db, "2025-05-25") == {
        "licenses": 3, "active_users": 2, "free": 0, "pending_removal": 1,
    }  # fmt: skip
    assert licenses(capsys, db, "2025-06-30") == {
        "licenses": 4, "active_users": 3, "free": 1, "pending_removal": 0,
    }  # fmt: skip


def test_reapplying_the_same_file_records_nothing_new(capsys, db, c1_file):
    """Lines with derived or given command_ids are recorded once."""
    run(capsys, "--db", db, "apply", str(c1_file))
    before = history_length(db, "C1")
    code, out, _ = run(capsys, "--db", db, "apply", str(c1_file))
    assert code == 0
    assert "0 events recorded" in out
    assert history_length(db, "C1") == before


def test_a_refused_third_line_records_nothing_of_the_file(capsys, db, c1_file, tmp_path):
    """One refused command (removing more than held) leaves the whole file unrecorded."""
    run(capsys, "--db", db, "apply", str(c1_file))
    before = history_length(db, "C1")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"command": "buy_licenses", "customer_number": "C1", "kind": "user", "quantity": 1,'
        ' "on": "2025-06-20"}\n'
        + OPEN_C1.replace('"C1"', '"C2"')
        + '\n{"command": "remove_licenses", "customer_number": "C1", "kind": "user",'
        ' "quantity": 9, "on": "2025-06-21"}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", db, "apply", str(bad))
    assert code == 3  # a business rule (README.md, "Exit codes")
    assert err.startswith("error: line 3: ")
    assert "Traceback" not in err
    assert out == ""
    assert history_length(db, "C1") == before
    with Ledger.open(db) as ledger, pytest.raises(SubscriptionNotFoundError):
        ledger.history("C2")


def test_a_json_float_amount_is_refused(capsys, db, c1_file, monkeypatch):
    """Money is never a float (R11): 100.5 in a file is refused, 100.50 as a string is not."""
    run(capsys, "--db", db, "apply", str(c1_file))
    line = OPEN_C1.replace('"C1"', '"C3"').replace('"100.00"', "100.5")
    monkeypatch.setattr(sys, "stdin", io.StringIO(line + "\n"))
    code, _, err = run(capsys, "--db", db, "apply", "-")
    assert code == 2
    assert "line 1" in err
    assert "float" in err


BUY = '{"command": "buy_licenses", "customer_number": "C1", "kind": "user", '
PAY = '{"command": "record_payment", "invoice_number": "VSOY-000001", '


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["buy_licenses"]', "JSON object"),
        ('{"command": "sell_licenses", "customer_number": "C1"}', "unknown command"),
        (BUY + '"on": "2025-06-01"}', "lacks quantity"),
        (BUY + '"quantity": 1, "on": "2025-06-01", "colour": "red"}', "no argument colour"),
        (BUY + '"quantity": 1, "on": "1.6.2025"}', "YYYY-MM-DD"),
        (BUY + '"quantity": "1", "on": "2025-06-01"}', "whole number"),
        (BUY + '"quantity": 1, "on": "2025-06-01", "command_id": 7}', "must be text"),
        (PAY + '"amount": 1e2, "on": "2025-06-01"}', "float"),
        (PAY + '"amount": NaN, "on": "2025-06-01"}', "not a number"),
        ('{"command": "run_billing", "through": "2025-06-30"}', "severa-ledger bill"),
    ],
)
def test_a_malformed_line_is_an_invalid_command_naming_its_line(line, message):
    """Syntax errors are refused before anything runs, with the line number."""
    with Ledger.open("memory://") as ledger:
        with pytest.raises((InvalidCommandError, InvalidValueError), match=f"^line 3: .*{message}"):
            apply_commands(ledger, f"# comment\n\n{line}\n")
        assert ledger.customers() == []


def test_a_line_without_command_id_gets_one_from_the_file_and_its_number():
    """The derived command_id is apply:<sha256 of the file's text>:<line number>."""
    digest = hashlib.sha256(b"{}\n").hexdigest()
    assert file_digest("{}\n") == digest
    assert command_id_for(digest, 2) == f"apply:{digest}:2"
    assert command_id_for(digest, 2) != command_id_for(digest, 3)
    assert command_id_for(digest, 2) != command_id_for(file_digest("{}\n\n"), 2)


def test_the_same_payment_line_in_another_file_is_a_new_payment(capsys, db, c1_file, tmp_path):
    """Two files that both start with one payment line record two payments, not one."""
    run(capsys, "--db", db, "apply", str(c1_file))
    run(capsys, "--db", db, "bill", "--through", "2025-06-30")
    line = PAY + '"amount": "10.00", "on": "2025-06-10"}\n'
    first, second = tmp_path / "monday.jsonl", tmp_path / "tuesday.jsonl"
    first.write_text(line, encoding="utf-8")
    second.write_text(line + "# paid again on Tuesday\n", encoding="utf-8")
    for path in (first, second, first):
        code, _, _ = run(capsys, "--db", db, "apply", str(path))
        assert code == 0
    with Ledger.open(db) as ledger:
        payments = ledger.account("C1").payments
    assert len(payments) == 2


def test_bill_and_invoice_show_the_issued_invoice(capsys, db, c1_file):
    """bill prints the numbers it issued; invoice prints seller, IBAN, due date, amount."""
    run(capsys, "--db", db, "apply", str(c1_file))
    code, out, _ = run(capsys, "--db", db, "bill", "--through", "2025-06-30")
    assert code == 0
    assert "VSOY-000001, VSOY-000002" in out
    code, out, _ = run(capsys, "--db", db, "invoice", "VSOY-000002", "--as-of", "2025-06-30")
    assert code == 0
    for text in ("Visma Solutions Oy", "FI19675438", "NO6681014453075", "2025-06-23", "185.87"):
        assert text in out


def test_bill_takes_a_worker_count_and_refuses_a_bad_one(capsys, db, c1_file):
    """--workers reaches run_billing; 0 is refused by name, and nothing is billed."""
    run(capsys, "--db", db, "apply", str(c1_file))
    code, _, err = run(capsys, "--db", db, "bill", "--through", "2025-06-30", "--workers", "0")
    assert code != 0
    assert "workers must be an int >= 1, got 0" in err
    code, out, _ = run(capsys, "--db", db, "bill", "--through", "2025-06-30", "--workers", "2")
    assert code == 0
    assert "VSOY-000001, VSOY-000002" in out


def test_preview_json_has_amounts_as_strings(capsys, db, c1_file):
    """The next period (2025-08-01..10-31) costs 4 x 3 x 100.00 NOK (R28)."""
    run(capsys, "--db", db, "apply", str(c1_file))
    code, out, _ = run(
        capsys, "--db", db, "preview", "C1", "--as-of", "2025-06-30", "--format", "json"
    )
    assert code == 0
    preview = json.loads(out)
    assert (preview["period_start"], preview["period_end"]) == ("2025-08-01", "2025-10-31")
    assert preview["total"] == "1200.00"


def test_history_lists_each_recorded_fact(capsys, db, c1_file):
    """The audit trail names each event with its effective date."""
    run(capsys, "--db", db, "apply", str(c1_file))
    code, out, _ = run(capsys, "--db", db, "history", "C1")
    assert code == 0
    assert "LicenseRemovalScheduled" in out
    assert "2025-05-20" in out


def test_an_unknown_customer_is_an_error_without_traceback(capsys, db):
    """A refusal prints error: <message> on stderr and exits 3 (a business rule)."""
    Ledger.open(db).close()  # a read never creates the store
    code, out, err = run(capsys, "--db", db, "licenses", "NOPE")
    assert (code, out) == (3, "")
    assert err.startswith("error: no subscription for customer 'NOPE'")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert main(["--db", url, "demo", "--format", "json"]) == 0
    return url


def test_demo_prints_the_seed_addition_and_never_runs_twice(capsys, tmp_path):
    """The demo bills the 2025-06-05 addition (185.87 NOK); a second run is refused."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out, _ = run(capsys, "demo", "--db", url)
    assert code == 0
    assert "185.87" in out
    assert "2025-06-23" in out
    code, out, err = run(capsys, "demo", "--db", url)
    assert code == 3  # a business rule
    assert "already holds 4 subscriptions" in err
    assert "--db sqlite:///other.db" in err


def test_invoices_csv_has_a_header_and_one_row_per_invoice(capsys, demo_db):
    """CSV output: the header, then one row per issued invoice."""
    capsys.readouterr()
    code, out, _ = run(capsys, "--db", demo_db, "invoices", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][:3] == ["number", "customer", "type"]
    with Ledger.open(demo_db) as ledger:
        numbers = [view.number for view in ledger.invoices()]
    assert [row[0] for row in rows[1:]] == numbers


def test_invoice_json_of_the_addition_is_due_2025_06_23(capsys, demo_db):
    """The seed's invoice: issued 2025-06-09, due 2025-06-23, 185.87 NOK, reverse charge."""
    capsys.readouterr()
    with Ledger.open(demo_db) as ledger:
        number = seed_addition_invoice(ledger)
    code, out, _ = run(capsys, "--db", demo_db, "invoice", number, "--format", "json")
    assert code == 0
    invoice = json.loads(out)
    assert (invoice["issue_date"], invoice["due_date"]) == ("2025-06-09", "2025-06-23")
    assert invoice["total"] == "185.87"
    assert invoice["seller"]["vat_id"] == "FI19675438"
    assert invoice["payment_details"]["iban"] == "NO6681014453075"
    assert invoice["notes"] == ["Reverse charge"]


def test_python_m_severa_ledger_cli_demo_uses_the_sqlite_file_in_the_folder(tmp_path):
    """`python -m severa_ledger.cli demo` writes severa-ledger.db in the current folder."""
    env = {k: v for k, v in os.environ.items() if k != "SEVERA_LEDGER_DB"}
    done = subprocess.run(
        [sys.executable, "-m", "severa_ledger.cli", "demo"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "185.87" in done.stdout
    assert (tmp_path / "severa-ledger.db").exists()


FIRST_QUARTER_FILE = (
    OPEN_C1.replace('"visma-solutions-oy"', '"visma-software-as"')
    .replace('"after_start"', '"in_advance"')
    .replace("2025-05-01", "2025-01-01")
    + "\n"
    + BUY
    + '"quantity": 2, "on": "2025-01-01"}\n'
)
# Every other command of api.md, after VSAS-000001 (2 x 300.00 + 25 % VAT) is issued.
AFTER_BILLING_FILE = """\
{"command": "activate_user", "customer_number": "C1", "user_id": "u1", "kind": "user", "on": "2025-01-02"}
{"command": "record_payment", "invoice_number": "VSAS-000001", "amount": "750.00", "on": "2025-01-20"}
{"command": "change_prices", "customer_number": "C1", "prices": {"user": 110}, "effective": "2025-07-01", "on": "2025-01-20"}
{"command": "schedule_migration", "customer_number": "C1", "cohort": "2025-07-01", "on": "2025-01-20"}
{"command": "deactivate_user", "customer_number": "C1", "user_id": "u1", "remove_license": true, "on": "2025-01-21"}
{"command": "change_company_details", "customer_number": "C1", "on": "2025-01-22", "street": "Storgata 9", "invoice_email": null}
{"command": "accept_terms", "customer_number": "C1", "version": "2025", "accepted_by": "kari", "on": "2025-01-22"}
{"command": "credit_invoice", "number": "VSAS-000001", "reason": "goodwill", "on": "2025-01-23"}
"""


def test_every_ledger_command_can_be_applied_from_a_file(capsys, db, tmp_path):
    """Open and buy; bill; then activate, pay, reprice, migrate, deactivate, change, credit."""
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text(FIRST_QUARTER_FILE, encoding="utf-8")
    second.write_text(AFTER_BILLING_FILE, encoding="utf-8")
    assert run(capsys, "--db", db, "apply", str(first))[0] == 0
    assert "VSAS-000001" in run(capsys, "--db", db, "bill", "--through", "2025-01-31")[1]
    code, out, err = run(capsys, "--db", db, "apply", str(second))
    assert (code, err) == (0, "")
    assert "applied 8 command lines" in out
    code, out, _ = run(capsys, "--db", db, "invoices", "C1", "--format", "json")
    rows = {row["number"]: row for row in json.loads(out)}
    assert rows["VSAS-000001"]["total"] == "750.00"
    assert rows["VSAS-000001"]["status"] == "credited"
    assert rows["VSAS-000002"]["type"] == "credit note"
    assert licenses(capsys, db, "2025-01-31")["pending_removal"] == 1


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ("1001", {"licenses": 3, "active_users": 3, "free": 0, "pending_removal": 0}),
        ("1002", {"licenses": 4, "active_users": 4, "free": 0, "pending_removal": 0}),
        ("1003", {"licenses": 3, "active_users": 3, "free": 0, "pending_removal": 0}),
        ("2001", {"licenses": 5, "active_users": 4, "free": 1, "pending_removal": 0}),
    ],
)
def test_demo_license_counts_on_2025_08_31(capsys, demo_db, customer, expected):
    """1001's removal took effect on 2025-04-01 (R4); 1002 bought one seat with a user (R5)."""
    capsys.readouterr()
    args = ("--db", demo_db, "licenses", customer, "--as-of", "2025-08-31", "--format", "json")
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert json.loads(out)["licenses"] == {"user": expected}


def test_a_file_that_is_not_utf8_is_refused_naming_the_file_and_line(capsys, db, tmp_path):
    """Binary input is a clean refusal that names the file and the line, not a traceback."""
    path = tmp_path / "binary.jsonl"
    path.write_bytes(b"# fine\n\n\xff\xfe\x00junk\n")
    code, _, err = run(capsys, "--db", db, "apply", str(path))
    assert code == 2
    assert f"{path}, line 3: not UTF-8" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (BUY + '"quantity": 1' + "0" * 4400 + ', "on": "2025-06-01"}', "number of 4401 digits"),
        ("[" * 100_000, "characters, more than"),
        ("[" * 60_000, "nested too deeply"),
        (BUY + '"quantity": 1, "on": "2025-06-01", "x": "' + "y" * 70_000 + '"}', "characters"),
    ],
)
def test_an_oversized_line_is_refused_cleanly(line, message):
    """Huge integer literals, deep nesting and huge lines are refused, nothing recorded."""
    with Ledger.open("memory://") as ledger:
        with pytest.raises((InvalidCommandError, InvalidValueError), match=f"^line 1: .*{message}"):
            apply_commands(ledger, line + "\n")
        assert ledger.customers() == []


def test_ctrl_c_exits_130_with_one_line(capsys, monkeypatch, db):
    """An interrupted command says so in one line and exits 130 (api.md), no traceback."""

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Ledger, "verify", interrupted)
    Ledger.open(db).close()  # a read never creates the store
    code, _, err = run(capsys, "--db", db, "verify")
    assert code == 130
    assert err.count("\n") == 1
    assert err.startswith("interrupted:")


def test_a_long_invoices_table_shows_its_first_rows_and_says_how_to_see_the_rest(
    capsys, db, c1_file, monkeypatch
):
    """Without --limit the table stops at TABLE_ROWS and says so; JSON and --limit show all."""
    from severa_ledger.cli import handlers  # noqa: PLC0415 -- the knob under test

    run(capsys, "--db", db, "apply", str(c1_file))
    run(capsys, "--db", db, "bill", "--through", "2025-06-30")
    monkeypatch.setattr(handlers, "TABLE_ROWS", 1)
    code, out, _ = run(capsys, "--db", db, "invoices", "--as-of", "2025-06-30")
    assert code == 0
    assert "VSOY-000001" in out
    assert "VSOY-000002" not in out
    assert "showing the first 1 of 2 invoices" in out
    code, out, _ = run(capsys, "--db", db, "invoices", "--as-of", "2025-06-30", "--limit", "2")
    assert "VSOY-000002" in out
    assert "showing" not in out
    code, out, _ = run(capsys, "--db", db, "invoices", "--format", "json")
    assert len(json.loads(out)) == 2
