"""The CLI: ``deliver`` (dry run, summary, re-send), ``deliveries`` and ``verify``'s check (R35)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.conftest import run, stored_log
from tests.delivery.scenario import SENDER, bill_one_customer
from tests.delivery.servers import SmtpServer


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite store with C1's orders and invoices."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        bill_one_customer(ledger)
    return url


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> object:
    """A real SMTP server, named by the settings ``deliver`` reads."""
    with SmtpServer() as server:
        monkeypatch.setenv("SEVERA_LEDGER_SMTP_URL", server.url)
        monkeypatch.setenv("SEVERA_LEDGER_SMTP_FROM", SENDER)
        monkeypatch.delenv("SEVERA_LEDGER_PEPPOL_OUTBOX", raising=False)
        yield server


def test_r35_deliver_dry_run_lists_and_records_nothing(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """R35: a dry run on 2025-02-03 names order C1-1 and invoice 1 (2 channels); nothing sent."""
    code, out, _ = run(capsys, "deliver", "--db", db, "--today", "2025-02-03", "--dry-run")
    assert code == 0
    assert "9 new deliveries would be recorded; 3 deliveries would be attempted" in out
    assert smtp.mailbox.messages == []
    code, out, _ = run(capsys, "deliveries", "--db", db, "--format", "json")
    assert json.loads(out) == []


def test_r35_deliver_sends_then_lists_and_verify_checks(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """R35: deliver sends 2 e-mails on 2025-02-03 (Peppol waits: no outbox); verify is clean."""
    code, out, _ = run(capsys, "deliver", "--db", db, "--today", "2025-02-03")
    assert code == 0
    assert "delivered on 2025-02-03: 9 new deliveries recorded; 2 attempts: 2 sent" in out
    assert "1 waiting for an unconfigured channel" in out
    code, out, _ = run(capsys, "deliveries", "--db", db, "--status", "sent", "--format", "json")
    sent = json.loads(out)
    assert sorted(d["document"] for d in sent) == ["C1-1", "VSOY-000001"]
    assert {d["recipient"] for d in sent} == {"faktura@example.no"}
    code, out, _ = run(capsys, "verify", "--db", db)
    assert code == 0, out


def test_r35_deliveries_status_failed_lists_the_refused_message_with_its_error(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """R35: the server answers 451 for invoice 1: ``deliveries --status failed`` lists it alone."""
    smtp.mailbox.reply = lambda m: "451 4.3.0 busy" if "VSOY-000001" in str(m["Subject"]) else None
    assert run(capsys, "deliver", "--db", db, "--today", "2025-02-03")[0] == 0
    code, out, _ = run(capsys, "deliveries", "--db", db, "--status", "failed", "--format", "json")
    failed = json.loads(out)
    assert code == 0
    assert [(d["document"], d["channel"], d["attempts"]) for d in failed] == [
        ("VSOY-000001", "email", 1)
    ]
    assert failed[0]["error"] == "451 4.3.0 busy"
    code, out, _ = run(capsys, "deliveries", "--db", db, "--status", "failed")
    assert (code, "VSOY-000001" in out, "C1-1" in out) == (0, True, False)
    assert (
        json.loads(run(capsys, "deliveries", "--db", db, "--status", "dead", "--format", "json")[1])
        == []
    )


def test_r35_verify_names_a_due_document_without_a_delivery(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """R35: invoices billed after the last deliver run lack deliveries: verify names them."""
    run(capsys, "deliver", "--db", db, "--today", "2025-02-03")
    with Ledger.open(db) as ledger:
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 5, 20))  # order C1-4 of 2025-05-20
    code, out, _ = run(capsys, "verify", "--db", db, "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert {(u["document"], u["channel"]) for u in report["undelivered"]} >= {("C1-4", "email")}


def test_r35_deliver_resend_sends_a_document_again(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """R35: ``deliver --resend VSOY-000001`` mails invoice 1 again under a new Message-ID."""
    run(capsys, "deliver", "--db", db, "--today", "2025-02-03")
    code, _, err = run(
        capsys, "deliver", "--db", db, "--today", "2025-02-03", "--resend", "VSOY-000001"
    )
    assert code == 0, err
    ids = [
        str(m["Message-ID"]) for m in smtp.mailbox.messages if "VSOY-000001" in str(m["Subject"])
    ]
    assert len(set(ids)) == 2


def test_deliver_follow_keeps_delivering_until_terminated(db: str, smtp: SmtpServer) -> None:
    """``deliver --follow`` sends what is due, keeps running, and ends cleanly on SIGTERM."""
    root = Path(__file__).resolve().parents[2]
    argv = ["deliver", "--db", db, "--today", "2025-02-03", "--follow", "--interval", "0.2"]
    child = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "severa_ledger.cli", *argv],
        cwd=root,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(smtp.mailbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err.decode()
    assert len(smtp.mailbox.messages) == 2
    assert b"2 attempts: 2 sent" in out


def test_an_unusable_smtp_url_is_refused_and_records_nothing(
    db: str, smtp: SmtpServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An SMTP URL of another scheme is refused (exit 2) naming the setting; nothing recorded."""
    monkeypatch.setenv("SEVERA_LEDGER_SMTP_URL", "http://127.0.0.1:25")
    with Ledger.open(db) as ledger:
        before = stored_log(ledger)
    code, _, err = run(capsys, "deliver", "--db", db, "--today", "2025-02-03")
    assert code == 2
    assert "SEVERA_LEDGER_SMTP_URL" in err
    assert "'http'" in err
    with Ledger.open(db) as ledger:
        assert stored_log(ledger) == before
