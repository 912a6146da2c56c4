"""The newcomer's command line (issue 17): dry runs, checks, filters, counts and write commands."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from importlib import metadata
from typing import TYPE_CHECKING

import pytest

from severa_ledger import Ledger
from severa_ledger.billing.plan import BillingReport
from severa_ledger.cli import main
from severa_ledger.cli import progress as progress_module
from severa_ledger.cli.commands_file import apply_commands
from severa_ledger.cli.parser import build_parser
from severa_ledger.cli.render import billing_summary
from tests.conftest import run, stored_log
from tests.test_cli import C1_FILE

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def c1(capsys: pytest.CaptureFixture[str], db: str, tmp_path: Path) -> str:
    """C1's first quarter applied (tests/test_cli.py), nothing billed."""
    path = tmp_path / "c1.jsonl"
    path.write_text(C1_FILE, encoding="utf-8")
    assert run(capsys, "--db", db, "apply", str(path))[0] == 0
    return db


@pytest.fixture
def demo(capsys: pytest.CaptureFixture[str], db: str) -> str:
    assert run(capsys, "--db", db, "demo")[0] == 0
    return db


def log_of(db: str) -> list[tuple[object, ...]]:
    with Ledger.open(db) as ledger:
        return stored_log(ledger)


# ------------------------------------------------------------------------ bill


def test_bill_without_through_or_today_is_a_usage_error(capsys, c1):
    """No --through and no --today: argparse refuses (exit 2) and nothing is billed."""
    before = log_of(c1)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", c1, "bill"])
    assert exit_info.value.code == 2
    assert "one of the arguments --through --today is required" in capsys.readouterr().err
    assert log_of(c1) == before


def test_bill_dry_run_records_nothing_and_lists_what_a_run_then_issues(capsys, c1):
    """The stored log is byte-identical after a dry run; the real run issues the same invoices."""
    before = log_of(c1)
    code, out, _ = run(capsys, "--db", c1, "bill", "--through", "2025-06-30", "--dry-run",
                       "--format", "json")  # fmt: skip
    assert code == 0
    assert log_of(c1) == before
    planned = [i["number"] for i in json.loads(out)["invoices"]]
    code, out, _ = run(capsys, "--db", c1, "bill", "--through", "2025-06-30", "--format", "json")
    assert code == 0
    assert planned == json.loads(out)["invoice_numbers"] == ["VSOY-000001", "VSOY-000002"]


def test_bill_dry_run_table_shows_counts_per_seller_first_numbers_and_totals(capsys, c1):
    """The table: one sentence saying nothing was recorded, the seller's count, first, last."""
    code, out, _ = run(capsys, "--db", c1, "bill", "--through", "2025-06-30", "--dry-run")
    assert code == 0
    assert "dry run, nothing recorded" in out
    assert "would issue 2 invoices for 1 subscription " in out
    assert "visma-solutions-oy" in out
    assert "VSOY-000001" in out
    assert "VSOY-000002" in out
    assert "Total NOK" in out


def test_bill_dry_run_counts_match_a_real_run_on_the_demo(capsys, demo):
    """Over a later year of the demo, the dry run's count equals what billing then issues."""
    before = log_of(demo)
    argv = ("--db", demo, "bill", "--through", "2026-06-30", "--format", "json")
    planned = json.loads(run(capsys, *argv, "--dry-run")[1])["invoices"]
    assert log_of(demo) == before
    issued = json.loads(run(capsys, *argv)[1])["invoice_numbers"]
    assert [i["number"] for i in planned] == issued
    assert len(issued) > 10


def test_a_long_billing_summary_counts_per_series_instead_of_listing():
    """9,532 invoices: the count, and first and last number per series, not every number."""
    numbers = tuple(f"VSAS-{n:06d}" for n in range(1, 9533))
    summary = billing_summary(BillingReport(date(2025, 6, 30), 1, 1, 1,
                                            numbers))  # fmt: skip
    assert "1 subscription, 1 order, 1 event recorded; 9,532 invoices issued" in summary
    assert "VSAS 9,532 (VSAS-000001 to VSAS-009532)" in summary
    assert "VSAS-000002" not in summary


# ----------------------------------------------------------------------- apply


def test_apply_check_validates_and_records_nothing(capsys, db, tmp_path):
    """--check decides every line in memory: exit 0, a summary, the log unchanged."""
    path = tmp_path / "c1.jsonl"
    path.write_text(C1_FILE, encoding="utf-8")
    before = log_of(db)
    code, out, _ = run(capsys, "--db", db, "apply", "--check", str(path))
    assert code == 0
    assert "checked 7 command lines: every command is valid" in out
    assert "nothing recorded" in out
    assert log_of(db) == before


def test_apply_check_names_the_refused_line(capsys, c1, tmp_path):
    """A business refusal on line 2 is reported with its number; nothing is recorded."""
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"command": "activate_user", "customer_number": "C1", "user_id": "x1", "on": "2025-06-06"}\n'
        '{"command": "buy_licenses", "customer_number": "NOPE", "kind": "user", "quantity": 1, "on": "2025-06-06"}\n',
        encoding="utf-8",
    )
    before = log_of(c1)
    code, _, err = run(capsys, "--db", c1, "apply", "--check", str(path))
    assert code != 0
    assert "line 2" in err
    assert log_of(c1) == before


def test_an_empty_command_file_says_it_holds_no_commands(capsys, db, tmp_path):
    """Only comments and blank lines: not "every command was already recorded"."""
    path = tmp_path / "empty.jsonl"
    path.write_text("# nothing yet\n\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "apply", str(path))
    assert code == 0
    assert "the file holds no commands" in out
    assert "already recorded" not in out


# ------------------------------------------------------------ version and help


def test_version_prints_the_package_version(capsys):
    """--version prints the installed distribution's version."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"severa-ledger {metadata.version('severa-ledger')}"


def _subparsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield name, sub
                yield from _subparsers(sub)


def test_every_help_has_an_example():
    """Every command's --help ends with at least one example command line."""
    parser = build_parser()
    assert "severa-ledger " in (parser.epilog or "")
    for name, sub in _subparsers(parser):
        assert "examples:\n  severa-ledger " in (sub.epilog or ""), name


# --------------------------------------------------------------------- invoices


def test_invoices_filter_by_customer_status_dates_and_limit(capsys, demo):
    """--customer, --status, --from, --to and --limit each narrow the list; paid and open shown."""
    argv = ("--db", demo, "invoices", "--as-of", "2025-08-31", "--format", "json")
    every = json.loads(run(capsys, *argv)[1])
    assert {"paid", "open"} <= set(every[0])
    mine = json.loads(run(capsys, *argv, "--customer", "1002")[1])
    assert mine
    assert {r["customer"] for r in mine} == {"1002"}
    june = json.loads(run(capsys, *argv, "--from", "2025-06-01", "--to", "2025-06-30")[1])
    assert june
    assert all("2025-06-01" <= r["issue_date"] <= "2025-06-30" for r in june)
    assert len(json.loads(run(capsys, *argv, "--limit", "2")[1])) == 2
    for status in ("open", "overdue", "paid"):
        rows = json.loads(run(capsys, *argv, "--status", status)[1])
        assert {r["status"] for r in rows} <= {status}


def test_invoices_table_and_csv_have_paid_and_open_columns(capsys, demo):
    """Table and CSV show what is paid and what is open of each invoice."""
    code, out, _ = run(capsys, "--db", demo, "invoices", "--limit", "1")
    assert code == 0
    assert "paid" in out
    assert "open" in out
    code, out, _ = run(capsys, "--db", demo, "invoices", "--format", "csv", "--limit", "1")
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0][-2:] == ["paid", "open"]
    assert len(rows) == 2


# ------------------------------------------------------------------ audit output


def test_export_csv_has_one_row_per_event(capsys, demo):
    """CSV export: a header, then one row per event with its data as JSON."""
    code, out, _ = run(capsys, "--db", demo, "export", "--format", "csv", "--customer", "1002")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["position", "event_type", "customer", "effective_date",
                             "recorded_at", "data"]  # fmt: skip
    assert {r["customer"] for r in rows} == {"1002"}
    assert json.loads(rows[1]["data"])["customer_number"] == "1002"


def test_export_of_an_unknown_customer_is_refused(capsys, demo):
    """export --customer nobody refuses like the other commands, with nothing written."""
    code, out, err = run(capsys, "--db", demo, "export", "--customer", "nobody")
    assert code != 0
    assert out == ""
    assert "no subscription for customer 'nobody'" in err


def test_seal_format_table_prints_a_table(capsys, demo):
    """seal --format table shows position, events and digest; the default stays JSON."""
    code, out, _ = run(capsys, "--db", demo, "seal", "--format", "table")
    assert code == 0
    seal = json.loads(run(capsys, "--db", demo, "seal")[1])
    assert "position" in out
    assert seal["digest"] in out


def test_summaries_use_singular_for_one(capsys, db, tmp_path):
    """One command line is "1 command line", not "1 command lines"."""
    path = tmp_path / "one.jsonl"
    path.write_text(C1_FILE.splitlines()[1] + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "--db", db, "apply", str(path))
    assert code == 0
    assert "applied 1 command line:" in out


# -------------------------------------------------------------------- progress


def test_no_progress_bar_when_stdout_is_not_a_terminal(capsys, c1):
    """Captured output gets no bar: the callback is None and stdout holds only the summary."""
    with progress_module.progress_bar("billing") as progress:
        assert progress is None
    code, out, _ = run(capsys, "--db", c1, "bill", "--through", "2025-06-30")
    assert code == 0
    assert out.startswith("billed through 2025-06-30")


def test_billing_and_apply_tell_progress_when_asked(c1, tmp_path):
    """run_billing and apply_commands call progress(done, total), ending at total."""
    told: list[tuple[int, int]] = []
    with Ledger.open(c1) as ledger:
        ledger.run_billing(through=date(2025, 6, 30),
                           progress=lambda done, total: told.append((done, total)))  # fmt: skip
        assert told
        assert told[-1][0] == told[-1][1]
        told.clear()
        apply_commands(ledger, C1_FILE, lambda done, total: told.append((done, total)))
    assert told == [(n, 7) for n in range(1, 8)]


# --------------------------------------------------------------- write commands


def test_write_commands_record_through_the_ledger_and_say_what(capsys, c1):
    """buy, activate, deactivate, remove, pay and credit each print what they recorded."""
    code, out, _ = run(capsys, "--db", c1, "buy", "C1", "user", "1", "--on", "2025-06-10",
                       "--command-id", "buy-1")  # fmt: skip
    assert code == 0
    assert "bought 1 user license for C1 on 2025-06-10; order confirmation" in out
    again = run(capsys, "--db", c1, "buy", "C1", "user", "1", "--on", "2025-06-10",
                "--command-id", "buy-1")  # fmt: skip
    assert again[0] == 0
    code, out, _ = run(capsys, "--db", c1, "activate", "C1", "liv", "--on", "2025-06-11")
    assert (code, "activated user liv of C1 on 2025-06-11" in out) == (0, True)
    code, out, _ = run(capsys, "--db", c1, "deactivate", "C1", "liv", "--on", "2025-06-12",
                       "--remove-license")  # fmt: skip
    assert (code, "removing its license is scheduled" in out) == (0, True)
    code, out, _ = run(capsys, "--db", c1, "remove", "C1", "user", "1", "--on", "2025-06-13")
    assert (code, "the count drops on" in out) == (0, True)
    assert run(capsys, "--db", c1, "bill", "--through", "2025-06-30")[0] == 0
    code, out, _ = run(capsys, "--db", c1, "pay", "VSOY-000001", "10.00", "--on", "2025-06-20")
    assert (code, "recorded a payment of 10.00 NOK on invoice VSOY-000001" in out) == (0, True)
    code, out, _ = run(capsys, "--db", c1, "credit", "VSOY-000001", "--reason", "wrong seats",
                       "--on", "2025-06-21", "--format", "json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["credit_note"].startswith("VSOY-")


def test_a_write_command_for_an_unknown_customer_is_refused(capsys, c1):
    """buy for a customer without a subscription: non-zero exit, the message, nothing recorded."""
    before = log_of(c1)
    code, _, err = run(capsys, "--db", c1, "buy", "NOPE", "user", "1", "--on", "2025-06-10")
    assert code != 0
    assert "no subscription for customer 'NOPE'" in err
    assert log_of(c1) == before


def test_a_write_command_needs_on(capsys, c1):
    """--on is required: a usage error (exit 2)."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", c1, "buy", "C1", "user", "1"])
    assert exit_info.value.code == 2


# ------------------------------------------------- catalogue commands (issue 23)


def test_a_price_version_scheduled_from_the_cli_is_listed_and_cancelled(capsys, c1):
    """R12, R36: change-prices, scheduled and cancel-change, each through the catalogue."""
    code, _, err = run(capsys, "--db", c1, "change-prices", "C1", "user=120.00",
                       "--effective", "2025-08-01", "--on", "2025-06-20")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "--db", c1, "scheduled", "C1", "--as-of", "2025-06-20",
                       "--format", "json")  # fmt: skip
    assert code == 0
    (change,) = json.loads(out)["scheduled"]
    assert (change["id"], change["kind"], change["takes_effect"]) == (
        "prices:2025-08-01", "prices", "2025-08-01",
    )  # fmt: skip
    code, _, err = run(capsys, "--db", c1, "cancel-change", "C1", "prices:2025-08-01",
                       "--on", "2025-06-21")  # fmt: skip
    assert code == 0, err
    code, out, _ = run(capsys, "--db", c1, "scheduled", "C1", "--as-of", "2025-06-21",
                       "--format", "json")  # fmt: skip
    assert json.loads(out)["scheduled"] == []
    with Ledger.open(c1) as ledger:
        assert ledger.upcoming_cost("C1", as_of=date(2025, 7, 1)).net == Decimal("1200.00")


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (("change-company", "C1", "--legal-name=A\x00B AS"), "InvalidCompanyTextError"),
        (("change-company", "C1", "--legal-name= Fjord AS"), "InvalidCompanyTextError"),
        (("buy", "--", "C1", "user", "\u0661"), "InvalidNumberError"),
        (("pay", "--", "VSAS-000001", "1E+2"), "InvalidAmountError"),
        (("pay", "--", "VSAS-000001", " 100.00"), "InvalidAmountError"),
        (("accept-terms", "C1", "--version=\ud800", "--accepted-by=kari"), "InvalidTextError"),
    ],
)
def test_a_hostile_value_on_the_command_line_is_refused_and_records_nothing(
    capsys, c1, argv, error
):
    """The CLI reads its values by the catalogue's rules: exit 2, the error's class, no change."""
    before = log_of(c1)
    name, *rest = argv
    code, _, err = run(capsys, "--db", c1, name, "--on", "2025-06-20", "--format", "json", *rest)
    assert code == 2, err
    assert json.loads(err)["error"] == error
    assert log_of(c1) == before


def test_a_command_dated_outside_the_window_is_refused(capsys, c1):
    """R36: 9999-12-31 is refused at the door (exit 2), the subscription not rolled."""
    before = log_of(c1)
    code, _, err = run(capsys, "--db", c1, "change-company", "C1", "--city", "Bergen",
                       "--on", "9999-12-31")  # fmt: skip
    assert code == 2
    assert "R36" in err
    assert log_of(c1) == before
