"""Webhooks as a delivery channel: recorded by the follower, sent and retried by ``deliver`` (R35)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from standardwebhooks import Webhook

from severa_ledger import Ledger
from severa_ledger.delivery.queries import DeliveryView, deliveries
from severa_ledger.delivery.runner import Sending, deliver
from severa_ledger.delivery.transport import Parcel, TransportError
from severa_ledger.delivery.webhook_routes import webhook_parcel
from severa_ledger.delivery.webhooks import WebhookTransport, webhook_id
from severa_ledger.domain.delivery import DEAD, FAILED, SENT, WEBHOOK
from severa_ledger.domain.delivery_errors import WebhookDeliveryNotFoundError
from tests.conftest import run, stored_log
from tests.delivery.receiver import Receiver, receiver
from tests.delivery.scenario import bill_one_customer

SERVER = b"w" * 32
TODAY = date(2025, 6, 2)


class Clock:
    """The wall clock moved by ``ahead``: receivers check timestamps against the real one."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.ahead


class DeadEmail:
    """An e-mail transport whose every message is refused for good."""

    channel = "email"

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Refuse the message permanently."""
        raise TransportError("550 no such mailbox", permanent=True)


def sending(ledger: Ledger, clock: Clock, *, email: bool = False) -> Sending:
    """Return a run that sends webhooks (and refuses e-mail if asked)."""
    transports = {WEBHOOK: WebhookTransport(ledger, SERVER, clock, timeout=2.0)}
    if email:
        transports["email"] = DeadEmail()  # type: ignore[assignment]
    return Sending(transports, clock, packers={WEBHOOK: webhook_parcel})


def verified(ledger: Ledger, hooks: Receiver, endpoint: str = "we_1") -> list[dict[str, object]]:
    """Return every received payload, each verified with the endpoint's secret."""
    hook = Webhook(ledger.webhook_secret(endpoint, SERVER))
    return [hook.verify(r.body, r.headers) for r in hooks.received]


def test_every_notice_reaches_the_endpoint_signed_once_each(store_url: str) -> None:
    """R35: 3 orders, 3 invoices and 1 payment of C1 make 7 webhooks, each verified, ids distinct."""
    clock = Clock()
    with Ledger.open(store_url) as ledger, receiver() as hooks:
        ledger.add_webhook_endpoint(hooks.url, on=date(2025, 1, 1))
        bill_one_customer(ledger)
        ledger.record_payment("VSOY-000001", Decimal("100.00"), on=date(2025, 2, 10))
        report = deliver(ledger, sending(ledger, clock), today=TODAY)
        again = deliver(ledger, sending(ledger, clock), today=TODAY)
        payloads = verified(ledger, hooks)
        views = [v for v in deliveries(ledger) if v.channel == WEBHOOK]
    assert (report.sent, again.sent, len(hooks.received)) == (7, 0, 7)
    assert Counter(p["type"] for p in payloads) == {
        "order_confirmation.created": 3,
        "invoice.issued": 3,
        "payment.recorded": 1,
    }
    payment = next(p for p in payloads if p["type"] == "payment.recorded")
    assert payment == {
        "type": "payment.recorded",
        "date": "2025-02-10",
        "data": {
            "customer_number": "C1",
            "invoice_number": "VSOY-000001",
            "amount": "100.00",
            "currency": "NOK",
            "paid_on": "2025-02-10",
        },
    }
    ids = [r.headers["webhook-id"] for r in hooks.received]
    assert sorted(ids) == sorted(webhook_id(v.message_id) for v in views)
    assert len(set(ids)) == 7
    assert {v.status for v in views} == {SENT}


def test_an_endpoint_gets_only_what_it_asked_for_recorded_after_it_was_added() -> None:
    """R35: added after billing, asking for invoices and payments: only the later payment."""
    with Ledger.open("memory://") as ledger, receiver() as hooks:
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=TODAY)
        ledger.add_webhook_endpoint(hooks.url, events="invoice.issued,payment.recorded", on=TODAY)
        ledger.record_payment("VSOY-000002", Decimal("50.00"), on=TODAY)
        deliver(ledger, sending(ledger, Clock()), today=TODAY)
        payloads = verified(ledger, hooks)
        report = ledger.verify(today=TODAY)
    assert [(p["type"], p["date"]) for p in payloads] == [("payment.recorded", "2025-06-02")]
    assert report.undelivered == ()


def test_an_invoice_is_not_notified_before_its_issue_date() -> None:
    """R35: on 2025-03-16 only invoice 1 (issued 02-03) goes out; invoice 2 waits for 03-17."""
    with Ledger.open("memory://") as ledger, receiver() as hooks:
        ledger.add_webhook_endpoint(hooks.url, events="invoice.issued", on=date(2025, 1, 1))
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 3, 16))
        first = [p["data"]["number"] for p in verified(ledger, hooks)]  # type: ignore[index]
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 3, 17))
        second = [p["data"]["number"] for p in verified(ledger, hooks)]  # type: ignore[index]
    assert first == ["VSOY-000001"]
    assert second == ["VSOY-000001", "VSOY-000002"]


def test_a_retry_carries_the_same_webhook_id_and_body() -> None:
    """R35: answered 500 then 204, the retry after the 1-minute back-off repeats id and body."""
    clock = Clock()
    with Ledger.open("memory://") as ledger, receiver((500, 204)) as hooks:
        ledger.add_webhook_endpoint(hooks.url, events="invoice.issued", on=date(2025, 1, 1))
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, clock), today=date(2025, 2, 3))
        (failed,) = deliveries(ledger, document="invoice.issued/VSOY-000001")
        clock.ahead = timedelta(minutes=2)
        report = deliver(ledger, sending(ledger, clock), today=date(2025, 2, 3))
        verified(ledger, hooks)
        (sent,) = deliveries(ledger, document="invoice.issued/VSOY-000001")
    assert (failed.status, sent.status, sent.attempts, report.sent) == (FAILED, SENT, 2, 1)
    first, second = hooks.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert json.loads(first.body)["data"]["number"] == "VSOY-000001"


def test_a_delivery_that_died_is_notified_as_delivery_failed() -> None:
    """R35: e-mails refused for good are dead; each is then notified once to delivery.failed."""
    clock = Clock()
    with Ledger.open("memory://") as ledger, receiver() as hooks:
        ledger.add_webhook_endpoint(hooks.url, events="delivery.failed", on=date(2025, 1, 1))
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, clock, email=True), today=TODAY)
        dead = {str(v.id): v for v in deliveries(ledger, status=DEAD) if v.channel == "email"}
        deliver(ledger, sending(ledger, clock, email=True), today=TODAY)
        payloads = verified(ledger, hooks)
    assert len(dead) == 6  # three orders and three invoices, by e-mail
    assert sorted(p["data"]["delivery_id"] for p in payloads) == sorted(dead)  # type: ignore[index]
    assert {p["data"]["error"] for p in payloads} == {"550 no such mailbox"}  # type: ignore[index]


def test_a_removed_endpoint_gets_nothing_more() -> None:
    """R35: deliveries recorded for an endpoint removed before sending die, unsent."""
    with Ledger.open("memory://") as ledger, receiver() as hooks:
        ledger.add_webhook_endpoint(hooks.url, events="invoice.issued", on=date(2025, 1, 1))
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 1, 31))  # records, sends none
        ledger.remove_webhook_endpoint("we_1", on=date(2025, 2, 1))
        report = deliver(ledger, sending(ledger, Clock()), today=TODAY)
    assert (report.dead, len(hooks.received)) == (3, 0)


def test_the_secret_verifies_only_its_own_endpoint() -> None:
    """Two endpoints, two secrets: each receiver's payloads verify with its own only."""
    with Ledger.open("memory://") as ledger, receiver() as one, receiver() as two:
        ledger.add_webhook_endpoint(one.url, events="invoice.issued", on=date(2025, 1, 1))
        ledger.add_webhook_endpoint(two.url, events="invoice.issued", on=date(2025, 1, 1))
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=TODAY)
        assert len(verified(ledger, one, "we_1")) == len(verified(ledger, two, "we_2")) == 3
        secret = ledger.webhook_secret("we_2", SERVER)
    assert base64.b64decode(secret.removeprefix("whsec_")) != SERVER


def test_a_resent_webhook_is_a_new_delivery_with_a_new_webhook_id() -> None:
    """R35: resend_webhook after a dead delivery records sequence 2; it goes out under a new id."""
    with Ledger.open("memory://") as ledger, receiver((410, 204)) as hooks:
        ledger.add_webhook_endpoint(hooks.url, events="invoice.issued", on=TODAY)
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 2, 3))
        (dead,) = deliveries(ledger, document="invoice.issued/VSOY-000001")
        made = ledger.resend_webhook(str(dead.id), on=date(2025, 2, 4))
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 2, 4))
        copies = {v.sequence: v for v in deliveries(ledger, document=dead.document)}
        verified(ledger, hooks)
    assert dead.status == DEAD
    assert (str(copies[2].id), copies[2].status, copies[2].reason) == (made, SENT, "resend")
    first, second = (r.headers["webhook-id"] for r in hooks.received)
    assert (first, second) == (webhook_id(dead.message_id), webhook_id(copies[2].message_id))
    assert first != second


def test_resending_what_is_no_webhook_delivery_is_refused_with_history_untouched() -> None:
    """An e-mail delivery's id, an unknown id and a malformed one: WebhookDeliveryNotFoundError."""
    with Ledger.open("memory://") as ledger:
        ledger.add_webhook_endpoint("https://erp.example/hooks", on=TODAY)
        bill_one_customer(ledger)
        deliver(ledger, sending(ledger, Clock()), today=date(2025, 1, 1))  # records only
        email = next(v for v in deliveries(ledger) if v.channel == "email")
        before = stored_log(ledger)
        for wrong in (str(email.id), "00000000-0000-0000-0000-000000000001", "not-a-uuid"):
            with pytest.raises(WebhookDeliveryNotFoundError, match=wrong):
                ledger.resend_webhook(wrong, on=TODAY)
        assert stored_log(ledger) == before


def test_the_cli_delivers_and_resends_a_webhook_signed_with_the_key_files_secret(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    """`webhooks add` shows the secret `deliver` signs with; `webhooks resend` sends a new id."""
    with receiver() as hooks:
        added = ("webhooks", "add", hooks.url, "--events", "invoice.issued", "--format", "json")
        secret = json.loads(run(capsys, "--db", db, *added)[1])["secret"]
        with Ledger.open(db) as ledger:
            bill_one_customer(ledger)
        assert run(capsys, "--db", db, "deliver", "--today", "2025-02-03")[0] == 0
        with Ledger.open(db) as ledger:
            (first,) = deliveries(ledger, document="invoice.issued/VSOY-000001")
        resend = ("webhooks", "resend", str(first.id), "--on", "2025-02-03")
        assert run(capsys, "--db", db, *resend)[0] == 0
        assert run(capsys, "--db", db, "deliver", "--today", "2025-02-03")[0] == 0
    ids = [Webhook(secret).verify(r.body, r.headers)["data"]["number"] for r in hooks.received]
    assert ids == ["VSOY-000001", "VSOY-000001"]
    assert len({r.headers["webhook-id"] for r in hooks.received}) == 2
