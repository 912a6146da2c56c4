"""The operator's webhook endpoints over the API (R35): secret once, no customer access."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from tests.web.conftest import SECRET

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

URL = "https://erp.example/hooks"


def test_the_operator_adds_lists_and_removes_an_endpoint(
    client: TestClient, operator: dict[str, str]
) -> None:
    """POST answers 201 with the whsec_ secret (HMAC of the app's secret); GET never shows it."""
    body = {"url": URL, "events": "invoice.issued,payment.recorded"}
    added = client.post("/api/v1/webhooks", json=body, headers=operator)
    assert added.status_code == 201
    got = added.json()
    expected = hmac.new(SECRET, f"we_1 {URL}".encode(), hashlib.sha256).digest()
    assert got["secret"] == "whsec_" + base64.b64encode(expected).decode()
    assert got["events"] == ["invoice.issued", "payment.recorded"]
    assert got["added_on"] == "2025-08-15"  # the app's business date
    listed = client.get("/api/v1/webhooks", headers=operator)
    assert listed.json() == [
        {
            "endpoint_id": "we_1",
            "url": URL,
            "events": ["invoice.issued", "payment.recorded"],
            "added_on": "2025-08-15",
        }
    ]
    assert client.delete("/api/v1/webhooks/we_1", headers=operator).status_code == 200
    assert client.get("/api/v1/webhooks", headers=operator).json() == []


def test_a_customer_key_may_not_see_add_or_remove_endpoints(
    client: TestClient, operator: dict[str, str], customer_a: dict[str, str]
) -> None:
    """Endpoints are the operator's: a customer key gets 403 on every route, nothing recorded."""
    client.post("/api/v1/webhooks", json={"url": URL}, headers=operator)
    assert client.get("/api/v1/webhooks", headers=customer_a).status_code == 403
    posted = client.post("/api/v1/webhooks", json={"url": URL}, headers=customer_a)
    assert posted.status_code == 403
    assert client.delete("/api/v1/webhooks/we_1", headers=customer_a).status_code == 403
    assert [e["endpoint_id"] for e in client.get("/api/v1/webhooks", headers=operator).json()] == [
        "we_1"
    ]


def test_bad_urls_unknown_notices_and_unknown_ids_are_problems(
    client: TestClient, operator: dict[str, str]
) -> None:
    """422 for a bad URL or notice, naming it, 404 for an unknown endpoint (R35)."""
    bad = client.post("/api/v1/webhooks", json={"url": "ftp://x"}, headers=operator)
    assert bad.status_code == 422
    assert "ftp://x" in bad.json()["detail"]
    unknown = client.post("/api/v1/webhooks", json={"url": URL, "events": "x.y"}, headers=operator)
    assert unknown.status_code == 422
    assert "'x.y'" in unknown.json()["detail"]
    assert client.delete("/api/v1/webhooks/we_4", headers=operator).status_code == 404
    assert client.get("/api/v1/webhooks", headers=operator).json() == []
