"""Hypothesis strategies for whole subscription histories, and a driver that applies them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from severa_ledger import LedgerError
from severa_ledger.application import Ledger
from tests.conftest import norwegian_company
from tests.reference import Model

KINDS = {"user": Decimal("100.00"), "storage": Decimal("7.35")}


@dataclass(frozen=True)
class Step:
    """One generated command: days after the previous one, what, and its arguments."""

    gap: int
    action: str
    kind: str = "user"
    quantity: int = 1
    price: Decimal = Decimal(0)
    offset: int = 0


steps = st.builds(
    Step,
    gap=st.integers(0, 45),
    action=st.sampled_from(
        [
            "buy",
            "buy",
            "buy",
            "remove",
            "remove",
            "activate",
            "deactivate",
            "price",
            "migrate",
            "bill",
        ]
    ),
    kind=st.sampled_from(sorted(KINDS)),
    quantity=st.integers(1, 3),
    price=st.decimals("0.01", "250.00", places=2),
    offset=st.integers(0, 2),
)


@dataclass(frozen=True)
class Plan:
    """A subscription's setup and the commands that follow."""

    anchor: date
    months: int
    regime: str
    steps: list[Step]
    tail: int


plans = st.builds(
    Plan,
    anchor=st.sampled_from(
        [date(2024, 1, 31), date(2024, 2, 29), date(2024, 5, 1), date(2024, 11, 30)]
    ),
    months=st.sampled_from([1, 3]),
    regime=st.sampled_from(["in_advance", "after_start"]),
    steps=st.lists(steps, max_size=18),
    tail=st.integers(0, 100),
)


@dataclass
class Run:
    """What a plan did to a ledger, mirrored in the reference model."""

    model: Model
    through: date
    users: list[str] = field(default_factory=list)


def _new_events(ledger: Ledger, customer: str, before: int) -> list[str]:
    return [h.type for h in ledger.history(customer)[before:]]


def apply_plan(ledger: Ledger, plan: Plan, customer: str = "P1") -> Run:
    """Apply every step to the ledger; mirror the accepted ones in the model."""
    seller = "visma-software-as" if plan.regime == "in_advance" else "visma-solutions-oy"
    ledger.open_subscription(
        customer, company=norwegian_company(), currency="NOK", period_months=plan.months,
        anchor=plan.anchor, prices=KINDS, on=plan.anchor, seller=seller, regime=plan.regime,
    )  # fmt: skip
    run = Run(Model(plan.anchor, plan.months, plan.regime, [(plan.anchor, dict(KINDS))]),
              plan.anchor)  # fmt: skip
    day = plan.anchor
    for number, step in enumerate(plan.steps):
        day += timedelta(days=step.gap)
        before = len(ledger.history(customer))
        try:
            _apply(ledger, run, customer, step, day, f"u{number}")
        except LedgerError:
            assert len(ledger.history(customer)) == before
            continue
        _mirror(ledger, run, customer, step, day, before)
    run.through = day + timedelta(days=plan.tail)
    ledger.run_billing(through=run.through)
    run.model.finish(run.through)
    return run


def _apply(ledger: Ledger, run: Run, customer: str, step: Step, day: date, user: str) -> None:
    if step.action == "buy":
        ledger.buy_licenses(customer, step.kind, step.quantity, on=day)
    elif step.action == "remove":
        ledger.remove_licenses(customer, step.kind, step.quantity, on=day)
    elif step.action == "activate":
        ledger.activate_user(customer, user, kind=step.kind, on=day, buy_if_needed=True)
        run.users.append(user)
    elif step.action == "deactivate" and run.users:
        ledger.deactivate_user(customer, run.users[0], on=day, remove_license=step.quantity > 1)
        run.users.pop(0)
    elif step.action == "price":
        effective = day + timedelta(days=31 * (step.offset + 1))
        ledger.change_prices(customer, {step.kind: step.price}, effective=effective, on=day)
    elif step.action == "migrate":
        start = run.model.period_of(day)[1] + timedelta(days=1)
        for _ in range(step.offset):
            start = run.model.period_of(start)[1] + timedelta(days=1)
        ledger.schedule_migration(customer, cohort=start, on=day)
    elif step.action == "bill":
        ledger.run_billing(through=day)


def _mirror(ledger: Ledger, run: Run, customer: str, step: Step, day: date, before: int) -> None:
    new = _new_events(ledger, customer, before)
    entries = ledger.history(customer)[before:]
    for entry in entries:
        if entry.type == "LicensesBought":
            run.model.buy(entry.data["kind"], entry.data["quantity"], day)
        elif entry.type == "LicenseRemovalScheduled":
            run.model.remove(entry.data["kind"], entry.data["quantity"], day)
        elif entry.type == "PricesChanged":
            version = entry.data["version"]
            run.model.prices.append((version.effective, dict(version.prices)))
        elif entry.type == "MigrationScheduled":
            run.model.migrate(entry.data["migration"].cohort, day)
    del new
