"""R36: back-dating is recorded as such: a fact's effective date and its recording time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from severa_ledger import Ledger
from tests.conftest import open_customer


def test_a_fact_dated_before_the_day_it_was_recorded_is_marked_backdated() -> None:
    """A purchase dated 2025-06-05 and recorded later is back-dated; a change dated 2099 is not."""
    with Ledger.open("memory://") as ledger:
        open_customer(ledger, "C1")
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 6, 5))
        ledger.change_company_details("C1", on=date(2099, 12, 31), city="Bergen")
        entries = ledger.history("C1")
    today = datetime.now(UTC).date()
    bought = next(e for e in entries if e.type == "LicensesBought")
    changed = next(e for e in entries if e.type == "CompanyDetailsChanged")
    assert bought.recorded_at.date() == today
    assert bought.backdated is (date(2025, 6, 5) < today)
    assert changed.backdated is False
    assert all(e.backdated == (e.effective_date < e.recorded_at.date()) for e in entries
               if e.effective_date is not None)  # fmt: skip
