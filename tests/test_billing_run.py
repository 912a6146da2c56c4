"""The billing run's work: each aggregate loaded once a run, conflicts retried (R17)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import Ledger
from severa_ledger.billing import run as billing_run
from severa_ledger.domain.account import account_id
from severa_ledger.domain.subscription import subscription_id
from tests.conftest import open_customer

D = date


def three_monthly_customers(ledger: Ledger) -> None:
    """Three monthly customers with two licenses each, from 2025-01-01."""
    for customer in ("A", "B", "C"):
        open_customer(ledger, customer, anchor=D(2025, 1, 1), months=1)
        ledger.buy_licenses(customer, "user", 2, on=D(2025, 1, 1))


def test_a_run_loads_each_subscription_and_account_once(
    memory_ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Billing half a year (six invoices each) loads each aggregate once, not once an invoice."""
    three_monthly_customers(memory_ledger)
    monkeypatch.setattr(billing_run, "INVOICES_PER_SAVE", 2)
    loads: Counter[object] = Counter()
    get = memory_ledger.repository.get

    def counting_get(aggregate_id: object, **kwargs: object) -> object:
        loads[aggregate_id] += 1
        return get(aggregate_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(memory_ledger.repository, "get", counting_get)
    report = memory_ledger.run_billing(through=D(2025, 6, 30))
    assert len(report.invoice_numbers) == 18
    for customer in ("A", "B", "C"):
        assert loads[subscription_id(customer)] == 1
        assert loads[account_id(customer)] == 1


def test_a_chunk_that_conflicts_is_retried_on_fresh_accounts(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A payment recorded by another writer mid-run: the run retries, issues all, no gap."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as setup:
        three_monthly_customers(setup)
        setup.run_billing(through=D(2025, 1, 31))
    monkeypatch.setattr(billing_run, "INVOICES_PER_SAVE", 2)
    issue = billing_run._Issuer.issue
    interfered: list[str] = []

    def issue_then_pay(self: billing_run._Issuer, chunk: list[object]) -> object:
        result = issue(self, chunk)  # type: ignore[arg-type]
        if not interfered:
            with Ledger.open(url) as other:
                other.record_payment("VSOY-000001", Decimal("200.00"), on=D(2025, 2, 10))
            interfered.append("VSOY-000001")
        return result

    monkeypatch.setattr(billing_run._Issuer, "issue", issue_then_pay)
    retries: list[int] = []
    monkeypatch.setattr(billing_run, "back_off", retries.append)
    with Ledger.open(url) as ledger:
        report = ledger.run_billing(through=D(2025, 6, 30))
        invoices = ledger.invoices()
        paid = ledger.invoice("VSOY-000001")
    assert interfered
    assert retries == [0]  # the chunk after the payment conflicted once
    assert len(report.invoice_numbers) == 15
    assert [i.sequence for i in invoices] == list(range(1, 19))
    assert len({(i.customer_number, i.order_sequence) for i in invoices}) == 18
    assert paid.status == "paid"
