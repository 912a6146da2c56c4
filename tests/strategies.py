"""The project's tests draw histories from the kit, :mod:`severa_ledger.testing`.

These names keep older tests short; the strategies themselves live in the kit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from severa_ledger.ledger.ledger import Ledger
from severa_ledger.testing import History, ReferenceModel
from severa_ledger.testing.strategies import histories

KINDS = {"user": Decimal("100.00"), "storage": Decimal("7.35")}
Plan = History
plans = histories()


@dataclass
class Run:
    """The model of the history's only subscription, and the date billed through."""

    model: ReferenceModel
    through: date


def apply_plan(ledger: Ledger, plan: History, customer: str = "P1") -> Run:
    """Record a one-subscription history and return its reference model."""
    plan.apply(ledger)
    return Run(plan.models[customer], plan.through)
