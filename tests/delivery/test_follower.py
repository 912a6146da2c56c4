"""The delivery follower: every document of the log gets its deliveries, once (R35)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from severa_ledger import Ledger
from severa_ledger.billing import run
from severa_ledger.delivery.follower import follow, pending
from severa_ledger.delivery.queries import deliveries
from severa_ledger.workers import pool
from tests.conftest import open_customer

CUSTOMERS = [f"C{n}" for n in range(1, 7)]


def _noting(enter: Callable[..., Any], started: list[object]) -> Callable[..., Any]:
    def noted(self: object) -> Any:
        started.append(self)
        return enter(self)

    return noted


def _book(ledger: Ledger) -> None:
    for customer in CUSTOMERS:
        open_customer(ledger, customer)
        ledger.buy_licenses(customer, "user", 2, on=date(2025, 2, 1))


def test_r35_invoices_issued_by_billing_workers_all_get_deliveries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R35: after billing with 2 worker processes, each invoice has an e-mail and a Peppol delivery."""
    monkeypatch.setattr(run, "CUSTOMERS_PER_SAVE", 2)  # 3 chunks: the pool starts
    started: list[object] = []
    monkeypatch.setattr(pool.Pool, "__enter__", _noting(pool.Pool.__enter__, started))
    with Ledger.open(f"sqlite:///{tmp_path}/ledger.db") as ledger:
        _book(ledger)
        report = ledger.run_billing(through=date(2025, 6, 30), workers=2)
        assert follow(ledger) == len(report.invoice_numbers) * 2 + len(ledger.orders("C1")) * 6
        found = Counter((v.document, v.channel) for v in deliveries(ledger) if v.kind == "invoice")
    assert started
    assert sorted({d for d, _ in found}) == sorted(report.invoice_numbers)
    assert set(found.values()) == {1}
    assert len(found) == 2 * len(report.invoice_numbers)


def test_r35_following_again_records_nothing_and_a_dry_run_records_nothing() -> None:
    """R35: the follower resumes from its position; ``pending`` lists without recording."""
    with Ledger.open("memory://") as ledger:
        _book(ledger)
        ledger.run_billing(through=date(2025, 3, 31))
        would = pending(ledger)
        assert deliveries(ledger) == []
        assert follow(ledger) == len(would)
        assert follow(ledger) == 0
        assert pending(ledger) == []
        ledger.run_billing(through=date(2025, 6, 30))  # the next quarter's order and invoice
        assert follow(ledger) == len(CUSTOMERS) * 3  # per customer: order e-mail, invoice x 2
