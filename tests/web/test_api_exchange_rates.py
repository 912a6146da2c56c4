"""The JSON API of cross-border VAT: recording an exchange rate, billing's held-back list (R32)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from fastapi.testclient import TestClient

from severa_ledger import Ledger
from tests.conftest import finnish_company, open_customer


def test_an_operator_records_an_exchange_rate(
    client: TestClient, operator: dict[str, str], demo: Ledger
) -> None:
    """R32: POST /api/v1/exchange-rates records 1 EUR = 11.7125 NOK, as the ECB said."""
    body = {"quote": "NOK", "rate": "11.7125", "on": "2025-09-05", "source": "ECB"}
    answer = client.post("/api/v1/exchange-rates", json=body, headers=operator)
    assert answer.status_code == 200, answer.text
    assert answer.json()["details"]["rate"] == "11.7125"
    open_customer(demo, "F1", anchor=date(2025, 9, 1), months=1, company=finnish_company())
    demo.buy_licenses("F1", "user", 3, on=date(2025, 9, 1))
    demo.run_billing(through=date(2025, 9, 30))
    (invoice,) = demo.invoices("F1")
    assert invoice.vat_in_tax_currency is not None  # 76.50 NOK / 11.7125, half up
    assert invoice.vat_in_tax_currency.vat == Decimal("6.53")


def test_the_billing_run_lists_what_it_holds_back(
    client: TestClient, operator: dict[str, str], demo: Ledger
) -> None:
    """R32: without an EUR/NOK rate, the dry run and the run both name F1 and why."""
    open_customer(demo, "F1", anchor=date(2025, 9, 1), months=1, company=finnish_company())
    demo.buy_licenses("F1", "user", 3, on=date(2025, 9, 1))
    for dry_run in (True, False):
        body = {"through": "2025-09-30", "dry_run": dry_run}
        answer = client.post("/api/v1/billing/runs", json=body, headers=operator)
        assert answer.status_code == 200, answer.text
        (held,) = answer.json()["held_back"]
        assert (held["customer_number"], held["issue_date"]) == ("F1", "2025-09-08")
        assert "R32" in held["reason"]
    assert demo.invoices("F1") == []
