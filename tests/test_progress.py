"""Long commands report progress through a callback; the bar itself lives at the CLI edge."""

from __future__ import annotations

from datetime import date

from severa_ledger import Ledger
from tests.conftest import open_customer


def _booked(ledger: Ledger) -> None:
    for customer in ("C1", "C2", "C3"):
        open_customer(ledger, customer, anchor=date(2025, 5, 1))
        ledger.buy_licenses(customer, "user", 2, on=date(2025, 6, 5))
    ledger.run_billing(through=date(2025, 9, 30))


def test_verify_reports_every_customer_re_derived(tmp_path):
    """progress(done, total) ends at (3, 3) for three customers, never past the total."""
    with Ledger.open(f"sqlite:///{tmp_path}/p.db") as ledger:
        _booked(ledger)
        calls: list[tuple[int, int]] = []
        assert ledger.verify(progress=lambda done, total: calls.append((done, total))).ok
    assert calls[-1] == (3, 3)
    assert all(done <= total for done, total in calls)


def test_a_rebuild_reports_its_position_up_to_the_head(tmp_path):
    """progress(position, head) of a rebuild ends at the log's head."""
    with Ledger.open(f"sqlite:///{tmp_path}/p.db") as ledger:
        _booked(ledger)
        head = ledger.recorder.max_notification_id()
        calls: list[tuple[int, int]] = []
        ledger.read_models.rebuild("invoice_lines", lambda at, of: calls.append((at, of)))
    assert calls
    assert calls[-1] == (head, head)
