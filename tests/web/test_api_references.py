"""The JSON API shows payment references and the invoices without payment details (R23, R30)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_an_invoice_shows_its_kid_and_its_payment_details(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """R30: the demo's VSOY-000007 in NOK: KID MOD10 of 0000007 (7x2=14 -> 5, check 5)."""
    body = client.get("/api/v1/invoices/VSOY-000007", headers=customer_a).json()
    assert body["payment_reference"] == "00000075"
    assert body["payment_details"]["reference_scheme"] == "kid-mod10"
    assert body["payment_details"]["bic"] is None


def test_an_invoice_without_payment_details_has_a_null_reference(
    client: TestClient, customer_a: dict[str, str]
) -> None:
    """R23: Visma Software AS has no account: no details, no reference."""
    body = client.get("/api/v1/invoices/VSAS-000002", headers=customer_a).json()
    assert (body["payment_details"], body["payment_reference"]) == (None, None)


def test_a_billing_dry_run_and_run_name_invoices_without_payment_details(
    client: TestClient, operator: dict[str, str]
) -> None:
    """R23: through 2025-09-30 the Finnish buyer's EUR invoice VSOY-000013 has no account."""
    dry = client.post("/api/v1/billing/runs", json={"through": "2025-09-30"}, headers=operator)
    assert dry.json()["without_payment_details"] == ["VSOY-000013"]
    planned = {i["number"]: i for i in dry.json()["invoices"]}
    assert planned["VSOY-000013"]["without_payment_details"] is True
    assert planned["VSOY-000013"]["payment_reference"] is None
    # 0000012: 2x2=4, 1 -> 5, check 5
    assert planned["VSOY-000012"]["payment_reference"] == "00000125"
    body = {"through": "2025-09-30", "dry_run": False}
    run = client.post("/api/v1/billing/runs", json=body, headers=operator)
    assert run.json()["without_payment_details"] == ["VSOY-000013"]
