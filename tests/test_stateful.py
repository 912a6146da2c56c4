"""A state machine drives the ledger with random commands and checks it after every step."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from severa_ledger import Ledger, LedgerError
from tests.conftest import norwegian_company
from tests.reference import Model

ANCHOR = date(2025, 1, 31)


class LedgerMachine(RuleBasedStateMachine):
    """Licenses, users and dates at random; counts checked against a naive model."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.url = f"sqlite:///{self.folder.name}/ledger.db"
        self.ledger = Ledger.open(self.url)
        self.regime = "after_start"
        self.ledger.open_subscription(
            "S1", company=norwegian_company(), currency="NOK", period_months=1,
            anchor=ANCHOR, prices={"user": Decimal("10.00")}, on=ANCHOR,
            seller="visma-solutions-oy", regime=self.regime,
        )  # fmt: skip
        self.model = Model(ANCHOR, 1, self.regime, [(ANCHOR, {"user": Decimal("10.00")})])
        self.users: dict[str, str] = {}
        self.today = ANCHOR
        self.next_user = 0

    def teardown(self) -> None:
        """Close the store and remove its folder."""
        self.ledger.close()
        self.folder.cleanup()

    def free(self) -> int:
        """Return the model's free seats: held, minus pending removal, minus users (R4, R5)."""
        pending = sum(by_kind.get("user", 0) for by_kind in self.model.pending.values())
        return self.model.licenses["user"] - pending - len(self.users)

    @rule(days=st.integers(1, 40))
    def time_passes(self, days: int) -> None:
        """Move the business date on."""
        self.today += timedelta(days=days)
        self.model.go_to(self.today)

    @rule(quantity=st.integers(1, 4))
    def buy(self, quantity: int) -> None:
        """R3, R4: buying adds licenses (cancelling pending removals first)."""
        self.ledger.buy_licenses("S1", "user", quantity, on=self.today)
        self.model.buy("user", quantity, self.today)

    @rule(quantity=st.integers(1, 3))
    def remove(self, quantity: int) -> None:
        """R4, R5: a removal is scheduled when enough seats are free, else refused."""
        try:
            self.ledger.remove_licenses("S1", "user", quantity, on=self.today)
        except LedgerError:
            assert quantity > self.free()
            return
        assert quantity <= self.free()
        self.model.remove("user", quantity, self.today)

    @rule(buy_if_needed=st.booleans())
    def activate(self, buy_if_needed: bool) -> None:
        """R5: an activation needs a free seat unless it may buy one."""
        user = f"u{self.next_user}"
        self.next_user += 1
        free = self.free()
        try:
            self.ledger.activate_user("S1", user, on=self.today, buy_if_needed=buy_if_needed)
        except LedgerError:
            assert free < 1
            assert not buy_if_needed
            return
        if free < 1:
            self.model.buy("user", 1, self.today)
        self.users[user] = "user"

    @precondition(lambda self: self.users)
    @rule(remove_license=st.booleans(), data=st.data())
    def deactivate(self, remove_license: bool, data: st.DataObject) -> None:
        """R6: the seat frees at once; the license may be removed in the same step."""
        user = data.draw(st.sampled_from(sorted(self.users)))
        self.ledger.deactivate_user("S1", user, on=self.today, remove_license=remove_license)
        del self.users[user]
        if remove_license:
            self.model.remove("user", 1, self.today)

    @rule()
    def bill(self) -> None:
        """A billing run changes no count."""
        self.ledger.run_billing(through=self.today)

    @invariant()
    def counts_match_the_model(self) -> None:
        """After every step, counts on today's date equal the naive model's."""
        counts = self.ledger.license_counts("S1", as_of=self.today)["user"]
        pending = sum(by_kind.get("user", 0) for by_kind in self.model.pending.values())
        expected = (self.model.licenses["user"], len(self.users), max(self.free(), 0), pending)
        got = (counts.licenses, counts.active_users, counts.free, counts.pending_removal)
        assert got == expected
        assert counts.active_users <= counts.licenses

    @invariant()
    def reopening_reproduces_the_state(self) -> None:
        """Replay equality: a new ledger on the same file folds the same subscription."""
        with Ledger.open(self.url) as again:
            assert again.subscription("S1") == self.ledger.subscription("S1")


LedgerMachine.TestCase.settings = settings(
    max_examples=max(10, settings().max_examples // 2), stateful_step_count=25
)
test_ledger_machine = LedgerMachine.TestCase
