"""Webhooks to a real local receiver, verified with standardwebhooks (R35, docs/webhooks.md)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from severa_ledger.delivery.webhook_payloads import body, payment_recorded
from severa_ledger.delivery.webhooks import WebhookPostError, post, signed_headers, webhook_id
from tests.delivery.receiver import receiver

SECRET = "whsec_" + base64.b64encode(b"r" * 32).decode()
MESSAGE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
PAID = datetime(2025, 6, 20, 8, 30, tzinfo=UTC)
BODY = body(
    "payment.recorded",
    date(2025, 6, 20),
    payment_recorded("1002", "VSOY-000002", Decimal("185.87"), "NOK", date(2025, 6, 20)),
)


def now() -> datetime:
    """The attempt's time: the receiver's verify accepts 5 minutes either way."""
    return datetime.now(UTC)


def test_the_body_is_canonical_json_with_amounts_as_decimal_strings() -> None:
    """payment.recorded: keys sorted, no spaces, 185.87 as text, dates YYYY-MM-DD."""
    assert BODY == (
        b'{"data":{"amount":"185.87","currency":"NOK","customer_number":"1002",'
        b'"invoice_number":"VSOY-000002","paid_on":"2025-06-20"},'
        b'"date":"2025-06-20","type":"payment.recorded"}'
    )


def test_the_signature_is_hmac_sha256_of_id_timestamp_and_body() -> None:
    """v1,base64(HMAC-SHA256(secret, 'msg_<hex>.<unix seconds>.<body>')), computed by hand."""
    headers = signed_headers(SECRET, MESSAGE, PAID, BODY)
    assert headers["webhook-id"] == "msg_1b4e28ba2fa111d2883f0016d3cca427"
    assert headers["webhook-timestamp"] == "1750408200"  # 2025-06-20T08:30:00Z
    signed = b"msg_1b4e28ba2fa111d2883f0016d3cca427.1750408200." + BODY
    mac = hmac.new(b"r" * 32, signed, hashlib.sha256).digest()
    assert headers["webhook-signature"] == "v1," + base64.b64encode(mac).decode()


def test_a_receiver_verifies_the_webhook_with_standardwebhooks() -> None:
    """The receiver's Webhook(secret).verify accepts the POST and returns the payload."""
    with receiver() as hooks:
        receipt = post(hooks.url, SECRET, MESSAGE, BODY, at=now())
    (got,) = hooks.received
    payload = Webhook(SECRET).verify(got.body, got.headers)
    assert payload["data"]["amount"] == "185.87"
    assert payload["type"] == "payment.recorded"
    assert got.headers["content-type"] == "application/json"
    assert "204" in receipt


def test_every_retry_of_a_delivery_carries_the_same_webhook_id_and_body() -> None:
    """R35: three attempts (500, 503, 200): one webhook-id, one body, each signature verifies."""
    with receiver((500, 503, 200)) as hooks:
        for _ in range(2):
            with pytest.raises(WebhookPostError) as failed:
                post(hooks.url, SECRET, MESSAGE, BODY, at=now())
            assert not failed.value.permanent
        post(hooks.url, SECRET, MESSAGE, BODY, at=now())
    assert {r.headers["webhook-id"] for r in hooks.received} == {webhook_id(MESSAGE)}
    assert {r.body for r in hooks.received} == {BODY}
    for request in hooks.received:
        Webhook(SECRET).verify(request.body, request.headers)


def test_another_secret_does_not_verify() -> None:
    """A receiver holding another endpoint's secret rejects the webhook."""
    with receiver() as hooks:
        post(hooks.url, SECRET, MESSAGE, BODY, at=now())
    other = "whsec_" + base64.b64encode(b"q" * 32).decode()
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(hooks.received[0].body, hooks.received[0].headers)


@pytest.mark.parametrize(
    ("status", "permanent"), [(410, True), (400, True), (429, False), (408, False), (302, False)]
)
def test_a_non_2xx_answer_fails_permanently_only_for_a_refusing_4xx(
    status: int, *, permanent: bool
) -> None:
    """4xx but 408/409/429 is permanent; 3xx is a failure and is not followed."""
    with (
        receiver((status,)) as hooks,
        pytest.raises(WebhookPostError, match=str(status)) as failed,
    ):
        post(hooks.url, SECRET, MESSAGE, BODY, at=now())
    assert failed.value.permanent is permanent
    assert [r.path for r in hooks.received] == ["/hooks"]  # a redirect is not followed


def test_an_unreachable_or_slow_receiver_is_a_failure_to_retry() -> None:
    """A closed port and an answer slower than the timeout both raise, not permanent."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/hooks"
    with pytest.raises(WebhookPostError) as refused:
        post(closed, SECRET, MESSAGE, BODY, at=now())
    assert not refused.value.permanent
    with receiver(delay=1.0) as hooks, pytest.raises(WebhookPostError) as slow:
        post(hooks.url, SECRET, MESSAGE, BODY, at=now(), timeout=0.2)
    assert not slow.value.permanent


def test_a_stale_timestamp_is_refused_by_the_receiver() -> None:
    """webhook-timestamp is the attempt's time: one signed an hour ago does not verify now."""
    with receiver() as hooks:
        post(hooks.url, SECRET, MESSAGE, BODY, at=now() - timedelta(hours=1))
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(hooks.received[0].body, hooks.received[0].headers)
    assert json.loads(hooks.received[0].body)["type"] == "payment.recorded"
