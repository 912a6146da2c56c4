"""The kit's state machine drives the ledger; a planted proration bug is caught."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from severa_ledger.domain import proration
from severa_ledger.domain.periods import Period
from severa_ledger.testing import LedgerMachine

TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(
    max_examples=max(10, settings().max_examples // 2), stateful_step_count=30
)


def excluding_the_effective_day(period: Period, day: object) -> Fraction:
    """A broken R9: (e - d) / days, leaving out the day the licenses were bought."""
    assert isinstance(day, type(period.start))
    return Fraction((period.end - day).days, period.days)


class BrokenProrationMachine(LedgerMachine):
    """The ledger opened with the broken policy; the reference model still follows R9."""

    proration = "broken_excluding_the_effective_day"


def test_the_machine_finds_a_planted_proration_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the default example budget, R19 catches proration that skips the effective day."""
    monkeypatch.setitem(proration.POLICIES, BrokenProrationMachine.proration,
                        excluding_the_effective_day)  # fmt: skip
    budget = settings(
        max_examples=100,  # Hypothesis's default budget
        database=None,
        phases=[Phase.generate],  # finding is the point here; shrinking only makes it short
        report_multiple_bugs=False,
    )
    with pytest.raises(AssertionError, match="R19") as found:
        run_state_machine_as_test(BrokenProrationMachine, settings=budget)
    assert "license-days say" in str(found.value)
