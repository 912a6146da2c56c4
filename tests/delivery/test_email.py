"""Deliveries by e-mail to a real SMTP server (aiosmtpd), and the follower that records them (R35)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from severa_ledger import Ledger
from severa_ledger.delivery.email import SmtpTransport
from severa_ledger.delivery.queries import deliveries
from severa_ledger.delivery.runner import deliver
from severa_ledger.domain.delivery import DEAD, FAILED, SENT
from severa_ledger.domain.errors import DocumentsUnavailableError
from tests.delivery.scenario import INVOICES, ORDERS, SENDER, bill_one_customer, sending
from tests.delivery.servers import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def billed() -> Iterator[Ledger]:
    """A memory ledger with C1's three orders and three invoices."""
    with Ledger.open("memory://") as ledger:
        bill_one_customer(ledger)
        yield ledger


def test_r35_documents_dated_after_the_run_are_not_sent(billed: Ledger, smtp: SmtpServer) -> None:
    """R35: on 2025-03-10 the orders of 02-01 and 03-10 and invoice 1 go; nothing dated later."""
    report = deliver(billed, sending(smtp.url), today=date(2025, 3, 10))
    subjects = sorted(str(m["Subject"]) for m in smtp.mailbox.messages)
    assert subjects == [
        "Faktura VSOY-000001, Visma Solutions Oy",
        "Ordrebekreftelse C1-1, Visma Solutions Oy",
        "Ordrebekreftelse C1-2, Visma Solutions Oy",
    ]
    assert report.recorded == 3 + 3 * 2  # orders by e-mail; invoices by e-mail and Peppol
    assert report.sent == 3
    assert len(report.waiting) == 1  # invoice 1 by Peppol: no outbox configured


def test_r35_each_document_is_mailed_once_with_its_files(billed: Ledger, smtp: SmtpServer) -> None:
    """R35: a second run sends nothing again; invoices carry PDF and EHF XML, orders a PDF."""
    deliver(billed, sending(smtp.url), today=date(2025, 6, 30))
    again = deliver(billed, sending(smtp.url), today=date(2025, 6, 30))
    assert again.outcomes == ()
    assert again.recorded == 0
    mails = {str(m["Subject"]).split()[1].rstrip(","): m for m in smtp.mailbox.messages}
    assert sorted(mails) == sorted([*ORDERS, *INVOICES])
    invoice = mails["VSOY-000002"]
    assert invoice["From"] == SENDER
    assert invoice["To"] == "faktura@example.no"
    files = [(p.get_filename(), p.get_content_type()) for p in invoice.iter_attachments()]
    assert files == [("VSOY-000002.pdf", "application/pdf"), ("VSOY-000002.xml", "application/xml")]
    order_files = [p.get_filename() for p in mails["C1-3"].iter_attachments()]
    assert order_files == ["order-C1-3.pdf"]
    views = {(v.document, v.channel): v for v in deliveries(billed)}
    assert views["VSOY-000002", "email"].status == SENT
    assert invoice["Message-ID"] == f"<{views['VSOY-000002', 'email'].message_id}@severa-ledger>"


def test_r35_a_retry_carries_the_same_message_id(billed: Ledger, smtp: SmtpServer) -> None:
    """R35: refused once with 451, the retry after the 1-minute back-off has the same Message-ID."""
    refused: list[str] = []

    def once(message: object) -> str | None:
        if not refused:
            refused.append(str(message["Message-ID"]))  # type: ignore[index]
            return "451 try again later"
        return None

    smtp.mailbox.reply = once
    now = datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
    first = deliver(billed, sending(smtp.url, now=now), today=date(2025, 2, 1))
    assert [o.status for o in first.outcomes] == [FAILED]
    early = deliver(
        billed, sending(smtp.url, now=now + timedelta(seconds=59)), today=date(2025, 2, 1)
    )
    assert early.outcomes == ()
    later = deliver(
        billed, sending(smtp.url, now=now + timedelta(minutes=1)), today=date(2025, 2, 1)
    )
    assert [o.status for o in later.outcomes] == [SENT]
    assert smtp.mailbox.ids() == refused
    assert later.outcomes[0].attempt == 2


def test_a_refused_recipient_makes_the_delivery_dead_at_once(
    billed: Ledger, smtp: SmtpServer
) -> None:
    """A permanent refusal (550) is not retried: the delivery is dead after one attempt."""
    smtp.mailbox.reply = lambda _message: "550 no such mailbox"
    report = deliver(billed, sending(smtp.url), today=date(2025, 2, 1))
    assert [(o.status, o.detail) for o in report.outcomes] == [(DEAD, "550 no such mailbox")]
    assert [v.status for v in deliveries(billed, status=DEAD)] == [DEAD]


def test_r35_a_resend_goes_out_as_a_new_message(billed: Ledger, smtp: SmtpServer) -> None:
    """R35: a deliberate re-send of invoice 1 is a new delivery with a new Message-ID."""
    deliver(billed, sending(smtp.url), today=date(2025, 2, 3))
    billed.resend_document("VSOY-000001", on=date(2025, 2, 3), channel="email")
    deliver(billed, sending(smtp.url), today=date(2025, 2, 3))
    invoice_ids = [
        str(m["Message-ID"]) for m in smtp.mailbox.messages if "VSOY-000001" in str(m["Subject"])
    ]
    assert len(invoice_ids) == 2
    assert len(set(invoice_ids)) == 2
    found = deliveries(billed, document="VSOY-000001")
    assert sorted(v.sequence for v in found if v.channel == "email") == [1, 2]
    assert [v.reason for v in found if v.sequence == 2] == ["resend"]


def test_a_password_is_never_sent_without_starttls(billed: Ledger, smtp: SmtpServer) -> None:
    """A server without STARTTLS gets no login: the attempt fails, to be retried, nothing sent."""
    url = smtp.url.replace("smtp://", "smtp://billing:s%40cret@")
    report = deliver(billed, sending(url), today=date(2025, 2, 1))
    ((status, detail),) = [(o.status, o.detail) for o in report.outcomes]
    assert status == FAILED
    assert "offers no STARTTLS" in detail
    assert smtp.mailbox.messages == []


def test_smtp_urls_name_host_port_tls_and_credentials() -> None:
    """smtp:// defaults to port 587, smtps:// to 465 with TLS; credentials are URL-decoded."""
    plain = SmtpTransport.from_settings({"SEVERA_LEDGER_SMTP_URL": "smtp://u:p%40ss@mail.example"})
    tls = SmtpTransport.from_settings({"SEVERA_LEDGER_SMTP_URL": "smtps://mail.example"})
    assert plain is not None
    assert tls is not None
    assert (plain.host, plain.port, plain.tls, plain.user, plain.password) == (
        "mail.example",
        587,
        False,
        "u",
        "p@ss",
    )
    assert (tls.port, tls.tls, tls.user) == (465, True, None)
    assert SmtpTransport.from_settings({}) is None


def test_a_sellers_own_sender_comes_before_the_default() -> None:
    """SEVERA_LEDGER_SMTP_FROM_VISMA_SOLUTIONS_OY wins over SEVERA_LEDGER_SMTP_FROM."""
    transport = SmtpTransport.from_settings(
        {
            "SEVERA_LEDGER_SMTP_URL": "smtp://mail.example",
            "SEVERA_LEDGER_SMTP_FROM": "billing@example.com",
            "SEVERA_LEDGER_SMTP_FROM_VISMA_SOLUTIONS_OY": "laskutus@visma.example",
        }
    )
    assert transport is not None
    assert transport.sender("visma-solutions-oy") == "laskutus@visma.example"
    assert transport.sender("visma-software-as") == "billing@example.com"


def test_without_the_documents_extra_deliver_stops_before_any_attempt(
    billed: Ledger, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing documents extra refuses the run before any attempt: no delivery dies of it."""
    monkeypatch.delitem(sys.modules, "severa_ledger.documents.pdf", raising=False)
    monkeypatch.setitem(sys.modules, "typst", None)  # as if the extra were not installed
    with pytest.raises(DocumentsUnavailableError, match="documents extra"):
        deliver(billed, sending(smtp.url), today=date(2025, 2, 1))
    assert {v.attempts for v in deliveries(billed)} == {0}
