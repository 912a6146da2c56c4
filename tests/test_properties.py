"""Properties over generated histories, with the kit: R19, R15-R17, R21, R28, replay."""

from __future__ import annotations

import tempfile

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from severa_ledger import Ledger
from severa_ledger.testing import History, invariants
from severa_ledger.testing.strategies import histories

many = histories(customers=st.integers(1, 3), max_commands=12)


@given(history=many)
def test_every_license_day_is_billed_exactly_once(history: History) -> None:
    """R19: per period and kind, billing equals the day-by-day model, to the minor unit."""
    with Ledger.open("memory://") as ledger:
        history.apply(ledger)
        for customer, model in history.models.items():
            invariants.check_billed_once(ledger, customer, model, history.through)


@given(history=many)
def test_orders_belong_to_their_dates_seller_and_each_has_one_invoice(history: History) -> None:
    """R15, R17, R21: old seller before the cohort; one invoice per due order; no gaps."""
    with Ledger.open("memory://") as ledger:
        history.apply(ledger)
        for plan in history.plans:
            cohort = history.models[plan.customer].cohort
            for order in ledger.orders(plan.customer):
                migrated = cohort is not None and order.date >= cohort
                if plan.regime == "in_advance":
                    legacy = "visma-software-as"
                    assert order.seller == ("visma-solutions-oy" if migrated else legacy)
                due = ledger.issue_date_of(order) <= history.through
                assert (order.invoice_number is not None) == due
                if order.invoice_number:
                    invoice = ledger.invoice(order.invoice_number)
                    assert [x.amount for x in invoice.lines] == [x.amount for x in order.lines]
                    assert invoice.seller.key == order.seller
        numbers = [(i.series, i.sequence) for i in ledger.invoices()]
        for series in {s for s, _ in numbers}:
            sequences = [n for s, n in numbers if s == series]
            assert sequences == list(range(1, len(sequences) + 1))


@given(history=histories())
def test_preview_equals_the_next_renewal_when_nothing_changes(history: History) -> None:
    """R28: with no change before the next period, its renewal invoice is the preview."""
    with Ledger.open("memory://") as ledger:
        history.apply(ledger)
        preview = ledger.upcoming_cost("P1", as_of=history.through)
        assume(preview.order_date > history.through)  # the renewal is not ordered yet
        ledger.run_billing(through=preview.issue_date)
        invariants.check_preview_is_renewal(ledger, preview)


@settings(max_examples=max(10, settings().max_examples // 4))
@given(history=many)
def test_reopening_the_store_replays_the_same_state(history: History) -> None:
    """Replay equality: a second ledger on the same file folds the same aggregates."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/ledger.db"
        with Ledger.open(url) as ledger, Ledger.open(url) as reopened:
            history.apply(ledger)
            invariants.check_replay_equal(ledger, reopened, history.customers)
            assert reopened.invoices() == ledger.invoices()
