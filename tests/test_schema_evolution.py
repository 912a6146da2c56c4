"""Stored formats are forever: the v1 fixture opens with every later version of the code.

``tests/fixtures/ledger-v1.db`` was written by ``tests/fixtures/make_v1.py``
with the code from before ``OrderConfirmed`` became class_version 2. Each test
opens a copy (opening may migrate the file: WAL mode, new tables).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.tamper import Tamper

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.db"
ORDER_TOPIC = "severa_ledger:Subscription.OrderConfirmed.v1"

# Every invoice of the fixture as issued: number, customer, issue date, net, VAT, total.
# Hand-checked: VSAS-000009 is 1003's 2024-10-14 seat, 48/91 of 300.00 = 158.24 + 25 % VAT;
# VSOY-000001 is 2001's five seats from 2025-03-03, 29/31 of 15.00 = 14.03 each, 70.15
# + 25.5 % = 17.89; VSOY-000013 is 2001's September at the new price, 5 x 16.00 = 80.00
# + 20.40; VSOY-000014 credits VSOY-000009 (75.00 + 19.13).
INVOICES = [
    ("VSAS-000001", "1001", "2024-04-01", "1200.00", "300.00", "1500.00"),
    ("VSAS-000002", "1002", "2024-05-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000003", "1001", "2024-06-01", "1200.00", "300.00", "1500.00"),
    ("VSAS-000004", "1003", "2024-06-01", "600.00", "150.00", "750.00"),
    ("VSAS-000005", "1002", "2024-07-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000006", "1003", "2024-08-01", "600.00", "150.00", "750.00"),
    ("VSAS-000007", "1001", "2024-09-01", "1200.00", "300.00", "1500.00"),
    ("VSAS-000008", "1002", "2024-10-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000009", "1003", "2024-10-14", "158.24", "39.56", "197.80"),
    ("VSAS-000010", "1003", "2024-11-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000011", "1001", "2024-12-01", "1200.00", "300.00", "1500.00"),
    ("VSAS-000012", "1002", "2025-01-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000013", "1003", "2025-02-01", "900.00", "225.00", "1125.00"),
    ("VSAS-000014", "1003", "2025-05-01", "900.00", "225.00", "1125.00"),
    ("VSOY-000001", "2001", "2025-03-10", "70.15", "17.89", "88.04"),
    ("VSOY-000002", "1001", "2025-04-07", "900.00", "0.00", "900.00"),
    ("VSOY-000003", "2001", "2025-04-07", "75.00", "19.13", "94.13"),
    ("VSOY-000004", "1002", "2025-05-05", "900.00", "0.00", "900.00"),
    ("VSOY-000005", "2001", "2025-05-05", "75.00", "19.13", "94.13"),
    ("VSOY-000006", "2001", "2025-06-02", "75.00", "19.13", "94.13"),
    ("VSOY-000007", "1002", "2025-06-09", "185.87", "0.00", "185.87"),
    ("VSOY-000008", "1001", "2025-07-07", "900.00", "0.00", "900.00"),
    ("VSOY-000009", "2001", "2025-07-07", "75.00", "19.13", "94.13"),
    ("VSOY-000010", "1002", "2025-08-04", "1200.00", "0.00", "1200.00"),
    ("VSOY-000011", "2001", "2025-08-04", "75.00", "19.13", "94.13"),
    ("VSOY-000012", "1003", "2025-09-08", "900.00", "0.00", "900.00"),
    ("VSOY-000013", "2001", "2025-09-08", "80.00", "20.40", "100.40"),
    ("VSOY-000014", "2001", "2025-08-20", "-75.00", "-19.13", "-94.13"),
]


@pytest.fixture
def v1_url(tmp_path: Path) -> str:
    """A copy of the committed v1 fixture."""
    copy = tmp_path / "ledger-v1.db"
    shutil.copyfile(FIXTURE, copy)
    return f"sqlite:///{copy}"


def test_the_fixture_holds_v1_order_events() -> None:
    """The committed file was written before OrderConfirmed v2: no class_version in its states."""
    tamper = Tamper(f"sqlite:///{FIXTURE}")
    states = [json.loads(tamper.state(p)) for p in tamper.positions("OrderConfirmed")]
    assert len(states) == 27
    assert not [s for s in states if "class_version" in s or "net" in s]


def test_the_v1_fixture_loads_and_its_invoices_are_unchanged(v1_url: str) -> None:
    """Every invoice reads back with the number, date and amounts it was issued with."""
    with Ledger.open(v1_url) as ledger:
        found = [
            (i.number, i.customer_number, i.issue_date.isoformat(), str(i.net), str(i.vat),
             str(i.total))
            for i in ledger.invoices()
        ]  # fmt: skip
        assert found == INVOICES
        assert ledger.invoice("VSOY-000009", as_of=date(2025, 9, 30)).status == "credited"
        assert ledger.invoice("VSOY-000010").status == "paid"


def test_the_v1_fixture_verifies_with_the_current_code(v1_url: str) -> None:
    """Its chain holds and every v1 order and invoice re-derives with the current code."""
    with Ledger.open(v1_url) as ledger:
        report = ledger.verify()
    assert report.ok, (report.chain.problem, report.findings)
    assert (report.chain.events, report.rederivation.orders) == (144, 27)
    assert report.rederivation.invoices == len(INVOICES)


def test_a_v1_order_is_upcast_with_its_net(v1_url: str) -> None:
    """The 2025-06-05 addition of 1002, stored as v1, reads as v2 with net 185.87."""
    with Ledger.open(v1_url) as ledger:
        events = [
            ledger.mapper.to_domain_event(n)
            for n in ledger.recorder.select_notifications(0, 1000, topics=[ORDER_TOPIC])
        ]
        addition = next(e for e in events if e.effective_date == date(2025, 6, 5))  # type: ignore[attr-defined]
        assert addition.net == Decimal("185.87")  # type: ignore[attr-defined]
        assert all(e.net == e.order.net for e in events)  # type: ignore[attr-defined]


def test_new_events_on_a_v1_store_are_v2_and_the_mixed_log_verifies(v1_url: str) -> None:
    """Billing the copy on to 2025-10-06 stores v2 orders beside the v1 ones; all verify."""
    with Ledger.open(v1_url) as ledger:
        report = ledger.run_billing(through=date(2025, 10, 6))
        assert report.orders == 2  # 1001's quarter from 2025-10-01, then 2001's October
        tamper = Tamper(v1_url)
        newest = json.loads(tamper.state(tamper.positions("OrderConfirmed")[-1]))
        assert newest["class_version"] == 2
        assert newest["net"] == {"_type_": "decimal_str", "_data_": "80.00"}
        assert ledger.verify().ok
