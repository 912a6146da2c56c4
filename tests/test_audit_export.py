"""Export: the whole log as JSON Lines, with positions, dates, digests and data."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from severa_ledger import Ledger
from tests.test_audit_chain import record_history


@pytest.fixture
def recorded(memory_ledger: Ledger) -> Ledger:
    """The chain tests' history (25 events), in memory."""
    record_history(memory_ledger)
    return memory_ledger


def export(ledger: Ledger, **filters: object) -> list[dict[str, object]]:
    stream = io.StringIO()
    count = ledger.export(stream, **filters)  # type: ignore[arg-type]
    lines = stream.getvalue().splitlines()
    assert count == len(lines)
    return [json.loads(line) for line in lines]


def test_every_event_is_one_line_in_log_order_with_its_digest(recorded: Ledger) -> None:
    """25 lines, positions 1..25; the last digest is the seal's."""
    records = export(recorded)
    assert [r["position"] for r in records] == list(range(1, 26))
    assert records[-1]["digest"] == recorded.seal().digest
    assert set(records[0]) == {
        "position", "customer", "aggregate", "event_type", "topic", "originator_id",
        "version", "effective_date", "recorded_at", "digest", "data",
    }  # fmt: skip


def test_a_purchase_line_carries_business_and_recorded_time_and_its_data(recorded: Ledger) -> None:
    """C1's 2025-06-05 purchase: effective date, aware recorded time, amounts as strings."""
    purchase = next(
        r for r in export(recorded)
        if r["event_type"] == "LicensesBought" and r["effective_date"] == "2025-06-05"
    )  # fmt: skip
    assert (purchase["customer"], purchase["aggregate"], purchase["version"]) == (
        "C1", "Subscription", 6,
    )  # fmt: skip
    assert purchase["data"] == {
        "kind": "user", "quantity": 2, "added": 1, "cancelled": {"2025-08-01": 1},
        "effective_date": "2025-06-05", "channel": "severa",
    }  # fmt: skip
    assert str(purchase["recorded_at"]).endswith("+00:00")


def test_the_export_filters_by_customer_and_effective_dates(recorded: Ledger) -> None:
    """--customer C2 --from 2025-08-01 --to 2025-08-31: C2's August roll, renewal and invoice."""
    records = export(
        recorded, customer_number="C2", since=date(2025, 8, 1), until=date(2025, 8, 31)
    )
    assert [(r["event_type"], r["effective_date"]) for r in records] == [
        ("PeriodRolled", "2025-08-01"),
        ("PeriodRenewed", "2025-08-01"),
        ("OrderConfirmed", "2025-08-01"),
        ("InvoiceIssued", "2025-08-04"),
    ]
    assert {r["customer"] for r in export(recorded, customer_number="C2")} == {"C2"}


def test_an_invoice_line_holds_the_whole_document(recorded: Ledger) -> None:
    """The first invoice exports with its number, total as a string and its lines."""
    invoice = next(r for r in export(recorded) if r["event_type"] == "InvoiceIssued")
    document = invoice["data"]["invoice"]  # type: ignore[index]
    assert (document["number"], document["total"], document["customer_number"]) == (
        "VSOY-000001", "900.00", "C1",
    )  # fmt: skip
