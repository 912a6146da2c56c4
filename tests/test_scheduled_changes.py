"""Changes recorded ahead: listed, cancelled by a recorded command, replayed and verified (R36).

Hand-worked from R1, R4, R12, R13, R15, R20, R21: C1 is after_start, quarterly from
2025-02-01 (periods from 02-01, 05-01, 08-01), 3 licenses at 100.00 NOK a month;
L1 is in_advance (Visma Software AS), quarterly from 2025-01-01 (periods from 01-01,
04-01, 07-01), 2 licenses, each renewal ordered a month before its period starts.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import severa_ledger as sl
from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.domain.errors import DateOutOfWindowError
from severa_ledger.domain.scheduled import ScheduledChange
from tests.conftest import open_customer, stored_log

D = date


@pytest.fixture
def c1(memory_ledger: Ledger) -> Ledger:
    """C1 with 3 licenses from 2025-02-01, last change 2025-03-10."""
    open_customer(memory_ledger, "C1", anchor=D(2025, 2, 1))
    memory_ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    memory_ledger.activate_user("C1", "u1", on=D(2025, 3, 10))
    return memory_ledger


def legacy(ledger: Ledger) -> None:
    """L1 with 2 licenses from 2025-01-01, in advance."""
    open_customer(ledger, "L1", anchor=D(2025, 1, 1), regime="in_advance")
    ledger.buy_licenses("L1", "user", 2, on=D(2025, 1, 1))


def ids(ledger: Ledger, customer: str, as_of: date) -> list[str]:
    """Return the ids of the changes scheduled on ``as_of``."""
    return [c.id for c in ledger.scheduled_changes(customer, as_of=as_of)]


def renewal(ledger: Ledger, customer: str, day: date) -> sl.OrderConfirmation:
    """Return the renewal order dated ``day``."""
    return next(o for o in ledger.orders(customer) if o.date == day and o.kind == "renewal")


# ------------------------------------------------------------- Part A: the demo's bug


def test_far_future_company_change_rolls_no_period_and_later_commands_still_work() -> None:
    """Demo 1002 after a 2099-12-31 change: period 4 (from 2025-05-01), 6 orders, buys work."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.change_company_details("1002", on=D(2099, 12, 31), legal_name="Framtid AS")
        before = stored_log(ledger)
        with pytest.raises(DateOutOfWindowError, match="R36"):  # outside 2000..2099: refused
            ledger.change_company_details("1002", on=D(9999, 12, 31), legal_name="Aldri AS")
        assert stored_log(ledger) == before
        sub = ledger.subscription("1002")
        assert (sub.period_index, len(sub.orders), sub.last_change) == (4, 6, D(2025, 6, 5))
        order = ledger.buy_licenses("1002", "user", 1, on=D(2025, 7, 1))
        # 2025-07-01..07-31 of 2025-05-01..07-31: 31/92 of 300.00 = 101.09 (R9)
        assert order is not None
        assert order.net == Decimal("101.09")
        assert ledger.subscription("1002").period_index == 4
        assert ledger.verify().ok


def test_invoices_before_and_after_a_scheduled_company_change_name_the_details_in_force() -> None:
    """1002: the 06-05 addition (invoice 06-09) has the old name, the 08-01 renewal (08-04) the new."""
    with Ledger.open("memory://") as ledger:
        load_demo(ledger)
        ledger.change_company_details("1002", on=D(2025, 8, 1), legal_name="Bergen Nye AS")
        ledger.buy_licenses("1002", "user", 1, on=D(2025, 7, 1))  # dated before it: accepted
        ledger.run_billing(through=D(2025, 8, 10))
        names = {i.issue_date: i.buyer.legal_name for i in ledger.invoices("1002")}
        assert names[D(2025, 6, 9)] == "Bergen Prosjektpartner AS"
        assert names[D(2025, 7, 7)] == "Bergen Prosjektpartner AS"
        assert names[D(2025, 8, 4)] == "Bergen Nye AS"
        # 5 licenses x 3 months x 100.00 (R13)
        assert renewal(ledger, "1002", D(2025, 8, 1)).net == Decimal("1500.00")
        assert ledger.verify().ok


def test_company_in_force_is_the_latest_effective_one_later_recorded_winning_ties(
    c1: Ledger,
) -> None:
    """Recorded 09-01 A, then 07-01 B, then 09-01 C: B from 07-01, C from 09-01."""
    c1.change_company_details("C1", on=D(2025, 9, 1), legal_name="A AS")
    c1.change_company_details("C1", on=D(2025, 7, 1), legal_name="B AS")
    c1.change_company_details("C1", on=D(2025, 9, 1), legal_name="C AS")
    sub = c1.subscription("C1")
    assert sub.company_on(D(2025, 6, 30)).legal_name == "Fjordtech Consulting AS"
    assert sub.company_on(D(2025, 8, 31)).legal_name == "B AS"
    assert sub.company_on(D(2025, 9, 1)).legal_name == "C AS"
    assert sub.company.legal_name == "C AS"
    assert ids(c1, "C1", D(2025, 3, 10)) == ["company:2025-07-01", "company:2025-09-01"]


# ------------------------------------------------------------ Part B: listed, cancelled


def test_company_change_listed_then_cancelled_keeps_the_previous_details(c1: Ledger) -> None:
    """A name from 2025-04-15, cancelled on 03-20: the 05-01 renewal (invoice 05-05) has the old."""
    c1.change_company_details("C1", on=D(2025, 4, 15), legal_name="Nytt Navn AS")
    assert c1.scheduled_changes("C1", as_of=D(2025, 3, 10)) == [
        ScheduledChange(
            "company:2025-04-15",
            "company",
            D(2025, 4, 15),
            "company details from 2025-04-15: Nytt Navn AS (legal_name)",
        )
    ]
    assert ids(c1, "C1", D(2025, 4, 15)) == []
    cancelled = c1.cancel_scheduled_change("C1", "company:2025-04-15", on=D(2025, 3, 20))
    assert cancelled.takes_effect == D(2025, 4, 15)
    assert ids(c1, "C1", D(2025, 3, 20)) == []
    c1.run_billing(through=D(2025, 5, 10))
    invoice = next(i for i in c1.invoices("C1") if i.issue_date == D(2025, 5, 5))
    assert invoice.buyer.legal_name == "Fjordtech Consulting AS"
    assert c1.verify().ok


def test_cancelled_removal_keeps_the_licenses_at_the_next_period_start(c1: Ledger) -> None:
    """Remove 1 on 03-12 (drops 2025-05-01, R4); cancelled on 03-20: 3 renewed, 900.00."""
    assert c1.remove_licenses("C1", "user", 1, on=D(2025, 3, 12)) == D(2025, 5, 1)
    (change,) = c1.scheduled_changes("C1", as_of=D(2025, 3, 12))
    assert change == ScheduledChange(
        "removal:2025-05-01:user",
        "removal",
        D(2025, 5, 1),
        "remove 1 'user' license(s) from 2025-05-01",
        "user",
        1,
    )
    assert c1.license_counts("C1")["user"].pending_removal == 1
    c1.cancel_scheduled_change("C1", "removal:2025-05-01:user", on=D(2025, 3, 20))
    assert c1.license_counts("C1")["user"] == sl.LicenseCount(3, 1, 2, 0)
    assert c1.license_counts("C1", as_of=D(2025, 5, 1))["user"].licenses == 3
    c1.run_billing(through=D(2025, 5, 1))
    assert renewal(c1, "C1", D(2025, 5, 1)).net == Decimal("900.00")  # 3 x 3 x 100.00
    assert c1.verify().ok


def test_cancelled_removal_of_an_ordered_period_bills_the_licenses_kept(
    memory_ledger: Ledger,
) -> None:
    """L1: remove 1 on 03-10 (drops 07-01); 07-01 renewed 06-01 for 1; cancelled 06-10: +300.00."""
    legacy(memory_ledger)
    assert memory_ledger.remove_licenses("L1", "user", 1, on=D(2025, 3, 10)) == D(2025, 7, 1)
    memory_ledger.run_billing(through=D(2025, 6, 1))
    assert renewal(memory_ledger, "L1", D(2025, 6, 1)).net == Decimal("300.00")
    memory_ledger.cancel_scheduled_change("L1", "removal:2025-07-01:user", on=D(2025, 6, 10))
    added = memory_ledger.orders("L1")[-1]
    assert (added.date, added.kind, added.net) == (D(2025, 6, 10), "addition", Decimal("300.00"))
    assert added.lines[0].period_start == D(2025, 7, 1)  # the whole next period (R19, R20)
    assert memory_ledger.verify().ok


def test_cancelled_price_version_prices_the_renewal_by_the_previous_one(c1: Ledger) -> None:
    """120.00 from 05-01, recorded 03-12, cancelled 03-20: the 05-01 renewal is 3 x 3 x 100.00."""
    c1.change_prices("C1", {"user": "120.00"}, effective=D(2025, 5, 1), on=D(2025, 3, 12))
    (change,) = c1.scheduled_changes("C1", as_of=D(2025, 3, 12))
    assert (change.id, change.description) == (
        "prices:2025-05-01",
        "monthly prices from 2025-05-01: user 120.00 NOK",
    )
    assert c1.upcoming_cost("C1", as_of=D(2025, 3, 12)).net == Decimal("1080.00")
    c1.cancel_scheduled_change("C1", "prices:2025-05-01", on=D(2025, 3, 20))
    assert c1.upcoming_cost("C1", as_of=D(2025, 3, 20)).net == Decimal("900.00")
    c1.run_billing(through=D(2025, 5, 1))
    assert renewal(c1, "C1", D(2025, 5, 1)).net == Decimal("900.00")
    assert c1.verify().ok


def test_cancelled_migration_keeps_the_old_seller_and_regime(memory_ledger: Ledger) -> None:
    """L1 to the 2025-04-01 cohort, cancelled 03-10: the 04-01 renewal ordered 03-10, 600.00."""
    legacy(memory_ledger)
    memory_ledger.schedule_migration("L1", cohort=D(2025, 4, 1), on=D(2025, 2, 10))
    (change,) = memory_ledger.scheduled_changes("L1", as_of=D(2025, 2, 10))
    assert (change.id, change.takes_effect) == ("migration:2025-04-01", D(2025, 4, 1))
    assert change.description == "move to visma-solutions-oy (after_start) from 2025-04-01"
    memory_ledger.cancel_scheduled_change("L1", "migration:2025-04-01", on=D(2025, 3, 10))
    order = renewal(memory_ledger, "L1", D(2025, 3, 10))  # due 03-01, held back (R20)
    assert (order.seller, order.regime, order.net) == (
        "visma-software-as",
        "in_advance",
        Decimal("600.00"),
    )
    assert not memory_ledger.terms_acceptance_required("L1", as_of=D(2025, 4, 2))
    assert memory_ledger.subscription("L1", as_of=D(2025, 4, 2)).seller == "visma-software-as"
    memory_ledger.run_billing(through=D(2025, 4, 2))
    assert memory_ledger.verify().ok


def test_company_change_window_runs_to_the_end_of_the_next_period(c1: Ledger) -> None:
    """Quarterly from 2025-02-01: on 03-10 through 07-31; on 05-01 through 10-31 (R1, R36)."""
    assert c1.company_change_window("C1", today=D(2025, 3, 10)) == (D(2025, 3, 10), D(2025, 7, 31))
    assert c1.company_change_window("C1", today=D(2025, 5, 1)) == (D(2025, 5, 1), D(2025, 10, 31))


# ---------------------------------------------------------------------------- refusals

REFUSALS = [
    ("unknown", "company:2031-01-01", sl.ScheduledChangeNotFoundError),
    ("not an id", "whatever", sl.ScheduledChangeNotFoundError),
    ("already cancelled", "prices:2025-08-01", sl.ScheduledChangeNotFoundError),
    ("in effect", "company:2025-03-15", sl.ChangeAlreadyInEffectError),
    ("removal in effect", "removal:2025-03-01:user", sl.ChangeAlreadyInEffectError),
]


@pytest.mark.parametrize(("case", "change_id", "error"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refused_cancellation_names_the_change_and_leaves_the_history(
    c1: Ledger, case: str, change_id: str, error: type[Exception]
) -> None:
    """Unknown, cancelled or in-effect ids raise their error naming C1, the id and R36."""
    del case
    c1.change_company_details("C1", on=D(2025, 3, 15), city="Bergen")
    c1.change_prices("C1", {"user": "110.00"}, effective=D(2025, 8, 1), on=D(2025, 3, 12))
    c1.cancel_scheduled_change("C1", "prices:2025-08-01", on=D(2025, 3, 12))
    history, log = c1.history("C1"), stored_log(c1)
    with pytest.raises(error) as raised:
        c1.cancel_scheduled_change("C1", change_id, on=D(2025, 3, 20))
    assert all(part in str(raised.value) for part in ("C1", repr(change_id), "R36"))
    assert (c1.history("C1"), stored_log(c1)) == (history, log)


def test_price_version_an_advance_renewal_used_is_in_effect(memory_ledger: Ledger) -> None:
    """L1: 110.00 from 07-01; the 07-01 renewal ordered 06-01 uses it: refused on 06-10."""
    legacy(memory_ledger)
    memory_ledger.change_prices(
        "L1", {"user": "110.00"}, effective=D(2025, 7, 1), on=D(2025, 3, 10)
    )
    with pytest.raises(sl.ChangeAlreadyInEffectError):
        memory_ledger.cancel_scheduled_change("L1", "prices:2025-07-01", on=D(2025, 6, 10))
    assert ids(memory_ledger, "L1", D(2025, 3, 10)) == ["prices:2025-07-01"]


# ---------------------------------------------------------- exactly once, replay, verify


def test_retry_with_the_same_command_id_records_once(c1: Ledger) -> None:
    """The second call returns the same change and records nothing."""
    c1.remove_licenses("C1", "user", 1, on=D(2025, 3, 12))
    first = c1.cancel_scheduled_change(
        "C1", "removal:2025-05-01:user", on=D(2025, 3, 20), command_id="cancel-1"
    )
    log = stored_log(c1)
    again = c1.cancel_scheduled_change(
        "C1", "removal:2025-05-01:user", on=D(2025, 3, 20), command_id="cancel-1"
    )
    assert (again, stored_log(c1)) == (first, log)


def test_reopened_store_replays_cancellations_and_verifies(tmp_path: Path) -> None:
    """Every kind cancelled on SQLite; reopened, the state and the read models agree."""
    url = f"sqlite:///{tmp_path / 'l.db'}"
    with Ledger.open(url) as ledger:
        legacy(ledger)
        ledger.schedule_migration("L1", cohort=D(2025, 7, 1), on=D(2025, 2, 10))
        ledger.change_company_details("L1", on=D(2025, 6, 1), legal_name="Ny AS")
        ledger.remove_licenses("L1", "user", 1, on=D(2025, 2, 12))
        ledger.change_prices("L1", {"user": "90.00"}, effective=D(2025, 7, 1), on=D(2025, 2, 12))
        for change in ledger.scheduled_changes("L1", as_of=D(2025, 2, 20)):
            ledger.cancel_scheduled_change("L1", change.id, on=D(2025, 2, 20))
        ledger.run_billing(through=D(2025, 7, 1))
        before = vars(ledger.subscription("L1")).copy()
        counts = ledger.license_counts("L1")
    with Ledger.open(url) as reopened:
        after = vars(reopened.subscription("L1"))
        assert {k: v for k, v in after.items() if k != "_pending_events"} == {
            k: v for k, v in before.items() if k != "_pending_events"
        }
        assert reopened.license_counts("L1") == counts == {"user": sl.LicenseCount(2, 0, 2, 0)}
        assert reopened.scheduled_changes("L1", as_of=D(2025, 2, 20)) == []
        # 07-01 renewal ordered 06-01 by the old seller at the old price: 2 x 3 x 100.00
        assert renewal(reopened, "L1", D(2025, 6, 1)).net == Decimal("600.00")
        assert reopened.verify().ok


def test_facts_recorded_after_a_scheduled_company_change_count_on_earlier_days(
    c1: Ledger,
) -> None:
    """A buy on 03-12 recorded after a 04-15 company change: 4 licenses on 03-31, both paths."""
    c1.change_company_details("C1", on=D(2025, 4, 15), legal_name="Nytt Navn AS")
    c1.buy_licenses("C1", "user", 1, on=D(2025, 3, 12))
    read = c1.license_counts("C1", as_of=D(2025, 3, 31))
    cost = c1.upcoming_cost("C1", as_of=D(2025, 3, 31))
    c1.read_models_enabled = False
    assert c1.license_counts("C1", as_of=D(2025, 3, 31)) == read
    assert read["user"].licenses == 4
    assert c1.upcoming_cost("C1", as_of=D(2025, 3, 31)) == cost
    assert cost.net == Decimal("1200.00")  # 4 x 3 x 100.00 from 2025-05-01
