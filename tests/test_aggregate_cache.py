"""The aggregates kept between commands: never stale, never holding a refused change."""

from __future__ import annotations

from datetime import date

import pytest

from severa_ledger import (
    InvalidValueError,
    Ledger,
    NotEnoughLicensesError,
)
from tests.conftest import open_customer, stored_log

D = date


def test_another_processs_purchase_is_seen_by_the_next_command(tmp_path: object) -> None:
    """A's cached subscription is brought up to date: B's license makes room for a user."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as a, Ledger.open(url) as b:
        open_customer(a, "C1", anchor=D(2025, 2, 1))
        a.buy_licenses("C1", "user", 1, on=D(2025, 2, 1))
        a.activate_user("C1", "ola", on=D(2025, 2, 2))
        b.buy_licenses("C1", "user", 1, on=D(2025, 2, 3))
        a.activate_user("C1", "kari", on=D(2025, 2, 4))  # needs B's license
        assert b.license_counts("C1", as_of=D(2025, 2, 4))["user"].active_users == 2


def test_a_refused_command_leaves_nothing_in_the_cache(memory_ledger: Ledger) -> None:
    """The refusal had rolled the subscription to September in memory; none of it stays."""
    open_customer(memory_ledger, "C1", anchor=D(2025, 2, 1))
    memory_ledger.buy_licenses("C1", "user", 2, on=D(2025, 2, 1))
    before = stored_log(memory_ledger)
    with pytest.raises(NotEnoughLicensesError):
        memory_ledger.remove_licenses("C1", "user", 5, on=D(2025, 9, 1))
    assert stored_log(memory_ledger) == before
    memory_ledger.buy_licenses("C1", "user", 1, on=D(2025, 3, 1))  # still in period 0
    assert memory_ledger.license_counts("C1", as_of=D(2025, 3, 1))["user"].licenses == 3


def test_the_cache_keeps_at_most_its_size(tmp_path: object) -> None:
    with Ledger.open(f"sqlite:///{tmp_path}/ledger.db", cache_size=2) as ledger:
        for customer in ("C1", "C2", "C3"):
            open_customer(ledger, customer)
        assert len(ledger.aggregates._held) == 2  # the last two customers' newest aggregates


def test_size_zero_turns_it_off_and_a_negative_size_is_refused(tmp_path: object) -> None:
    with Ledger.open("memory://", cache_size=0) as ledger:
        open_customer(ledger)
        ledger.buy_licenses("C1", "user", 1, on=D(2025, 2, 1))
        assert not ledger.aggregates._held
        assert ledger.license_counts("C1", as_of=D(2025, 2, 1))["user"].licenses == 1
    with pytest.raises(InvalidValueError, match="cache_size must be an int >= 0, got -1"):
        Ledger.open(f"sqlite:///{tmp_path}/ledger.db", cache_size=-1)
