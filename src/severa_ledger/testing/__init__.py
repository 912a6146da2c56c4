"""A property-testing kit: strategies, a naive reference model and a state machine.

Needs Hypothesis (``pip install "severa-ledger[testing]"``)::

    from severa_ledger.testing import LedgerMachine, ReferenceModel, strategies
"""

from severa_ledger.testing import invariants, strategies
from severa_ledger.testing.history import Command, History, SubscriptionPlan
from severa_ledger.testing.machine import LedgerMachine
from severa_ledger.testing.profiles import register_profiles
from severa_ledger.testing.reference import ReferenceModel

__all__ = [
    "Command",
    "History",
    "LedgerMachine",
    "ReferenceModel",
    "SubscriptionPlan",
    "invariants",
    "register_profiles",
    "strategies",
]
