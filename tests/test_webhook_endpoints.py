"""Webhook endpoints (R35): recorded commands, ids from the log, secrets derived and never stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.domain.delivery_errors import (
    InvalidWebhookUrlError,
    UnknownWebhookEventError,
    WebhookEndpointNotFoundError,
)
from severa_ledger.domain.webhooks import WEBHOOK_EVENTS
from tests.conftest import run, stored_log

ON = date(2025, 6, 2)
SERVER = b"k" * 32
URL = "https://erp.example/hooks"


def by_hand(server: bytes, endpoint_id: str, url: str) -> str:
    """The signing secret as docs/webhooks.md states it, computed here independently."""
    digest = hmac.new(server, f"{endpoint_id} {url}".encode(), hashlib.sha256).digest()
    return "whsec_" + base64.b64encode(digest).decode()


def test_endpoints_get_ids_in_the_order_added_and_keep_their_events(store_url: str) -> None:
    """R35: we_1, we_2 in order; events as asked, all five when none are named."""
    with Ledger.open(store_url) as ledger:
        first = ledger.add_webhook_endpoint(URL, events="payment.recorded,invoice.issued", on=ON)
        second = ledger.add_webhook_endpoint("http://127.0.0.1:9000/in", on=ON)
        listed = ledger.webhook_endpoints()
    assert (first, second) == ("we_1", "we_2")
    assert [e.events for e in listed] == [
        ("payment.recorded", "invoice.issued"),
        WEBHOOK_EVENTS,
    ]
    assert listed[0].url == URL
    assert listed[0].added_on == ON


def test_a_removed_endpoint_is_not_listed_and_its_id_is_not_reused() -> None:
    """R35: removing we_1 leaves we_2; the next endpoint is we_3."""
    with Ledger.open("memory://") as ledger:
        ledger.add_webhook_endpoint(URL, on=ON)
        ledger.add_webhook_endpoint(URL, on=ON)
        ledger.remove_webhook_endpoint("we_1", on=ON)
        third = ledger.add_webhook_endpoint(URL, on=ON)
        assert [e.endpoint_id for e in ledger.webhook_endpoints()] == ["we_2", "we_3"]
    assert third == "we_3"


def test_the_secret_is_hmac_of_the_server_secret_over_id_and_url() -> None:
    """The whsec_ secret: HMAC-SHA256(server secret, 'we_1 URL'), 32 bytes, per endpoint."""
    with Ledger.open("memory://") as ledger:
        ledger.add_webhook_endpoint(URL, on=ON)
        ledger.add_webhook_endpoint(URL, on=ON)
        one, two = (ledger.webhook_secret(i, SERVER) for i in ("we_1", "we_2"))
        other_server = ledger.webhook_secret("we_1", b"j" * 32)
    assert one == by_hand(SERVER, "we_1", URL)
    assert len(base64.b64decode(one.removeprefix("whsec_"))) == 32
    assert len({one, two, other_server}) == 3


def test_no_secret_and_no_server_secret_is_in_the_stored_log(tmp_path: Path) -> None:
    """Neither the whsec_ secret (nor its bytes) nor the server secret is in the store file."""
    path = tmp_path / "ledger.db"
    with Ledger.open(f"sqlite:///{path}") as ledger:
        ledger.add_webhook_endpoint(URL, on=ON)
        secret = ledger.webhook_secret("we_1", SERVER)
    stored = path.read_bytes()
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    for needle in (secret.encode(), secret.removeprefix("whsec_").encode(), raw, SERVER):
        assert needle not in stored


@pytest.mark.parametrize(
    ("url", "events", "error"),
    [
        ("ftp://erp.example/hooks", None, InvalidWebhookUrlError),
        ("https:///nohost", None, InvalidWebhookUrlError),
        ("https://user:pw@erp.example/", None, InvalidWebhookUrlError),
        ("https://erp.example/#frag", None, InvalidWebhookUrlError),
        ("https://erp.example/a b", None, InvalidWebhookUrlError),
        (URL, "invoice.issued,invoice.paid", UnknownWebhookEventError),
    ],
)
def test_a_bad_endpoint_is_refused_with_history_untouched(
    url: str, events: str | None, error: type[Exception]
) -> None:
    """R35: a refused URL or notice names the value and records nothing."""
    with Ledger.open("memory://") as ledger:
        ledger.add_webhook_endpoint(URL, on=ON)
        before = stored_log(ledger)
        with pytest.raises(error, match="R35"):
            ledger.add_webhook_endpoint(url, events=events, on=ON)
        assert stored_log(ledger) == before


def test_removing_an_unknown_or_removed_endpoint_is_refused_with_history_untouched() -> None:
    """R35: we_9 (never added) and we_1 (removed) are not found; nothing is recorded."""
    with Ledger.open("memory://") as ledger:
        ledger.add_webhook_endpoint(URL, on=ON)
        ledger.remove_webhook_endpoint("we_1", on=ON)
        before = stored_log(ledger)
        for endpoint_id in ("we_9", "we_1"):
            with pytest.raises(WebhookEndpointNotFoundError, match=endpoint_id):
                ledger.remove_webhook_endpoint(endpoint_id, on=ON)
        with pytest.raises(WebhookEndpointNotFoundError):
            ledger.webhook_secret("we_1", SERVER)
        assert stored_log(ledger) == before


def test_adding_with_the_same_command_id_records_one_endpoint() -> None:
    """A retried add (same command_id) answers the same id and records nothing more."""
    with Ledger.open("memory://") as ledger:
        first = ledger.add_webhook_endpoint(URL, on=ON, command_id="hook-1")
        before = stored_log(ledger)
        again = ledger.add_webhook_endpoint(URL, on=ON, command_id="hook-1")
        assert stored_log(ledger) == before
    assert first == again == "we_1"


def test_the_cli_prints_the_secret_once_and_lists_endpoints_without_it(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    """webhooks add prints whsec_ once; list and remove never do; bad input exits 2, unknown 3."""
    add = ("webhooks", "add", URL, "--events", "invoice.issued", "--on", "2025-06-02")
    code, out, _ = run(capsys, "--db", db, *add)
    assert code == 0
    assert "we_1" in out
    secret = next(w for w in out.split() if w.startswith("whsec_"))
    code, out, _ = run(capsys, "--db", db, "webhooks", "list", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"endpoint_id": "we_1", "url": URL, "events": ["invoice.issued"], "added_on": "2025-06-02"}
    ]
    assert secret not in out
    assert run(capsys, "--db", db, "webhooks", "add", "ftp://x")[0] == 2
    assert run(capsys, "--db", db, "webhooks", "remove", "we_7")[0] == 3
    code, out, _ = run(capsys, "--db", db, "webhooks", "remove", "we_1", "--on", "2025-06-02")
    assert (code, "whsec_" in out) == (0, False)
    assert json.loads(run(capsys, "--db", db, "webhooks", "list", "--format", "json")[1]) == []
