"""LedgerMachine: a Hypothesis state machine over a Ledger, for users to subclass.

It opens subscriptions and drives them with valid purchases, removals, user
changes, price changes, migrations, billing runs and the passing of time, and
checks after every step: R5, R19 against the day-by-day reference model,
preview = renewal (R28) and replay equality. Subclass it to add rules or
invariants, or to test another store (override :meth:`make_ledger`).
"""

from __future__ import annotations

import copy
import tempfile
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from severa_ledger.ledger.ledger import Ledger
from severa_ledger.reader.views import Preview
from severa_ledger.testing import invariants
from severa_ledger.testing.history import SubscriptionPlan
from severa_ledger.testing.reference import ReferenceModel
from severa_ledger.testing.strategies import company_details

START = date(2025, 1, 31)
KIND = "user"
MAX_SUBSCRIPTIONS = 3


class LedgerMachine(RuleBasedStateMachine):
    """Random valid commands on a ledger; the rules' invariants after every step."""

    #: The proration policy the ledger is opened with (the model always follows R9).
    proration = "actual_days"
    #: The regime of new subscriptions (legacy ones can migrate).
    regimes = ("in_advance", "after_start")

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.url = f"sqlite:///{self.folder.name}/ledger.db"
        self.ledger = self.make_ledger()
        # Finnish VAT on an invoice in NOK is also stated in EUR: by this rate (R32).
        self.ledger.record_exchange_rate("NOK", "11.4532", on=START)
        self.today = START
        self.billed_through = START
        self.models: dict[str, ReferenceModel] = {}
        self.regime: dict[str, str] = {}
        self.users: dict[str, list[str]] = {}
        self.previews: dict[str, tuple[Preview, date]] = {}
        self.activations = 0

    def make_ledger(self) -> Ledger:
        """Return the ledger under test (a SQLite file in a temporary folder)."""
        return Ledger.open(self.url)

    def teardown(self) -> None:
        """Close the ledger and remove its folder."""
        self.ledger.close()
        self.folder.cleanup()

    def touched(self, customer: str) -> None:
        """Forget the customer's preview: something changed after it was taken."""
        self.previews.pop(customer, None)

    def free(self, customer: str) -> int:
        """Return the model's free seats: held, less pending removal, less users (R4, R5)."""
        model = self.models[customer]
        pending = sum(by_kind.get(KIND, 0) for by_kind in model.pending.values())
        return model.licenses[KIND] - pending - len(self.users[customer])

    # ------------------------------------------------------------------ rules

    @precondition(lambda self: len(self.models) < MAX_SUBSCRIPTIONS)
    @rule(months=st.sampled_from([1, 3]), regime_index=st.integers(0, 1), data=st.data())
    def open_subscription(self, months: int, regime_index: int, data: st.DataObject) -> None:
        """Open a subscription anchored today, with a buyer from NO, FI, SE or DK."""
        regime = self.regimes[regime_index % len(self.regimes)]
        country = "NO" if regime == "in_advance" else None
        customer = f"M{len(self.models) + 1}"
        plan = SubscriptionPlan(
            customer,
            self.today,
            months,
            regime,
            {KIND: Decimal("100.00")},
            data.draw(company_details(country=country)),
        )
        command = plan.opening()
        self.ledger.open_subscription(
            *command.args, **{**command.kwargs, "proration": self.proration}
        )
        self.models[customer] = plan.model()
        self.regime[customer] = regime
        self.users[customer] = []

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        """Move the business date on."""
        self.today += timedelta(days=days)
        for model in self.models.values():
            model.go_to(self.today)

    @precondition(lambda self: self.models)
    @rule(data=st.data(), quantity=st.integers(1, 3))
    def buy(self, data: st.DataObject, quantity: int) -> None:
        """R3, R14: licenses bought today are billed from today."""
        customer = data.draw(st.sampled_from(sorted(self.models)))
        self.ledger.buy_licenses(customer, KIND, quantity, on=self.today)
        self.models[customer].buy(KIND, quantity, self.today)
        self.touched(customer)

    @precondition(lambda self: any(self.free(c) > 0 for c in self.models))
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        """R4: a removal of free seats drops the count at the next unordered period."""
        customer = data.draw(st.sampled_from([c for c in sorted(self.models) if self.free(c)]))
        quantity = data.draw(st.integers(1, self.free(customer)))
        self.ledger.remove_licenses(customer, KIND, quantity, on=self.today)
        self.models[customer].remove(KIND, quantity, self.today)
        self.touched(customer)

    @precondition(lambda self: self.models)
    @rule(data=st.data())
    def activate(self, data: st.DataObject) -> None:
        """R5: an activation buys a seat in the same step when none is free."""
        customer = data.draw(st.sampled_from(sorted(self.models)))
        self.activations += 1
        user = f"{customer}-u{self.activations}"
        buy = self.free(customer) < 1
        self.ledger.activate_user(customer, user, on=self.today, buy_if_needed=buy)
        if buy:
            self.models[customer].buy(KIND, 1, self.today)
        self.users[customer].append(user)
        self.touched(customer)

    @precondition(lambda self: any(self.users.values()))
    @rule(data=st.data(), remove_license=st.booleans())
    def deactivate(self, data: st.DataObject, remove_license: bool) -> None:
        """R6: the seat frees at once, and may be removed in the same step."""
        customer = data.draw(st.sampled_from([c for c in sorted(self.users) if self.users[c]]))
        user = self.users[customer].pop(0)
        self.ledger.deactivate_user(customer, user, on=self.today, remove_license=remove_license)
        if remove_license:
            self.models[customer].remove(KIND, 1, self.today)
        self.touched(customer)

    @precondition(
        lambda self: any(
            r == "in_advance" and self.models[c].cohort is None for c, r in self.regime.items()
        )
    )
    @rule(data=st.data(), later=st.integers(0, 1))
    def migrate(self, data: st.DataObject, later: int) -> None:
        """R21, R22: move a legacy subscription at one of its next period starts."""
        legacy = [
            c
            for c, r in sorted(self.regime.items())
            if r == "in_advance" and self.models[c].cohort is None
        ]
        customer = data.draw(st.sampled_from(legacy))
        model = self.models[customer]
        cohort = model.period_of(self.today)[1] + timedelta(days=1)
        if later:
            cohort = model.period_of(cohort)[1] + timedelta(days=1)
        self.ledger.schedule_migration(customer, cohort=cohort, on=self.today)
        model.migrate(cohort, self.today)
        self.touched(customer)

    @precondition(lambda self: self.models)
    @rule()
    def bill(self) -> None:
        """Bill through today; check previews whose renewal is now invoiced (R28)."""
        self.ledger.run_billing(through=self.today)
        self.billed_through = self.today
        for customer, (preview, taken) in list(self.previews.items()):
            if preview.issue_date <= self.today and preview.order_date > taken:
                invariants.check_preview_is_renewal(self.ledger, preview)
                del self.previews[customer]
        for customer in self.models:
            if customer not in self.previews:
                preview = self.ledger.upcoming_cost(customer, as_of=self.today)
                self.previews[customer] = (preview, self.today)

    # ------------------------------------------------------------- invariants

    @invariant()
    def active_users_never_exceed_licenses(self) -> None:
        """R5 after every step."""
        for customer in self.models:
            invariants.check_active_within_licenses(self.ledger, customer)

    @invariant()
    def counts_match_the_model(self) -> None:
        """R3-R6: licenses, users, free seats and pending removals as the model counts them."""
        for customer, model in self.models.items():
            counts = self.ledger.license_counts(customer, as_of=self.today)[KIND]
            pending = sum(by_kind.get(KIND, 0) for by_kind in model.pending.values())
            want = (
                model.licenses[KIND],
                len(self.users[customer]),
                pending,
                max(self.free(customer), 0),
            )
            got = (counts.licenses, counts.active_users, counts.pending_removal, counts.free)
            if got != want:
                raise AssertionError(f"{customer} on {self.today}: counts {got}, model {want}")

    @invariant()
    def every_license_day_is_billed_once(self) -> None:
        """R19 for every period started by the last billing run."""
        for customer, model in self.models.items():
            finished = copy.deepcopy(model)
            finished.finish(self.today)
            invariants.check_billed_once(self.ledger, customer, finished, self.billed_through)

    @invariant()
    def reopening_folds_the_same_state(self) -> None:
        """Replay equality: a second ledger on the same store agrees."""
        with Ledger.open(self.url) as reopened:
            invariants.check_replay_equal(self.ledger, reopened, sorted(self.models))
