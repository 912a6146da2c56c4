"""Every refusal of domain.md's last section: the specific error, its message, history unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

import severa_ledger as sl
from severa_ledger import Ledger, Money
from tests.conftest import norwegian_company, open_customer, stored_log

D = date


def given(ledger: Ledger) -> None:
    """C1 (after_start, quarterly from 2025-02-01): 2 licenses, user u1, last change 2025-05-10.

    C2 (legacy, in_advance, monthly from 2025-01-01) with 1 license and a migration to the
    2025-06-01 cohort scheduled on 2025-03-10 (cut-over 2025-05-24/25).
    """
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 2, on=D(2025, 2, 1))
    ledger.activate_user("C1", "u1", on=D(2025, 2, 3))
    ledger.change_company_details("C1", on=D(2025, 5, 10), city="Bergen")
    # A company change never advances (R36): the unchanged price list, recorded on 2025-05-10, does.
    ledger.change_prices("C1", {"user": "100.00"}, effective=D(2025, 8, 1), on=D(2025, 5, 10))
    open_customer(ledger, "C2", anchor=D(2025, 1, 1), months=1, regime="in_advance")
    ledger.buy_licenses("C2", "user", 1, on=D(2025, 1, 1), command_id="c2-buy")
    ledger.schedule_migration("C2", cohort=D(2025, 6, 1), on=D(2025, 3, 10))
    ledger.run_billing(through=D(2025, 3, 10))


Command = Callable[[Ledger], object]

#: (case, command or [setup..., command], error, fragments of its message)
CASES: list[tuple[str, Command | list[Command], type[Exception], tuple[str, ...]]] = [
    ("unknown subscription",
     lambda l: l.buy_licenses("NOPE", "user", 1, on=D(2025, 5, 12)),
     sl.SubscriptionNotFoundError, ("'NOPE'",)),
    ("unknown license kind",
     lambda l: l.buy_licenses("C1", "storage", 1, on=D(2025, 5, 12)),
     sl.UnknownLicenseKindError, ("C1", "'storage'")),
    ("zero quantity",
     lambda l: l.buy_licenses("C1", "user", 0, on=D(2025, 5, 12)),
     sl.NonPositiveQuantityError, ("C1", "0")),
    ("negative removal",
     lambda l: l.remove_licenses("C1", "user", -1, on=D(2025, 5, 12)),
     sl.NonPositiveQuantityError, ("C1", "-1")),
    ("boolean quantity",
     lambda l: l.buy_licenses("C1", "user", True, on=D(2025, 5, 12)),
     sl.NonPositiveQuantityError, ("C1", "True")),
    ("removing more licenses than held",
     lambda l: l.remove_licenses("C1", "user", 3, on=D(2025, 5, 12)),
     sl.NotEnoughLicensesError, ("C1", "remove 3", "2 held", "R4")),
    ("removal leaving fewer licenses than active users",
     lambda l: l.remove_licenses("C1", "user", 2, on=D(2025, 5, 12)),
     sl.RemovalBelowActiveUsersError, ("C1", "leave 0", "1 active users", "R5")),
    ("activation without a free license",
     [lambda l: l.activate_user("C1", "u2", on=D(2025, 5, 12)),
      lambda l: l.activate_user("C1", "u3", on=D(2025, 5, 12))],
     sl.NoFreeLicenseError, ("C1", "'u3'", "R5", "buy_if_needed")),
    ("activating an active user",
     lambda l: l.activate_user("C1", "u1", on=D(2025, 5, 12)),
     sl.UserAlreadyActiveError, ("C1", "'u1'", "R7")),
    ("deactivating an unknown user",
     lambda l: l.deactivate_user("C1", "ghost", on=D(2025, 5, 12)),
     sl.UserNotActiveError, ("C1", "'ghost'", "R7")),
    ("effective date before the current period start",
     lambda l: l.buy_licenses("C1", "user", 1, on=D(2025, 4, 30)),
     sl.BeforePeriodStartError, ("C1", "2025-04-30", "2025-05-01")),
    ("effective date before the last change",
     lambda l: l.buy_licenses("C1", "user", 1, on=D(2025, 5, 9)),
     sl.BeforeLastChangeError, ("C1", "2025-05-09", "2025-05-10")),
    ("a price in another currency",
     lambda l: l.change_prices("C1", {"user": Money("90.00", "EUR")}, effective=D(2025, 8, 1),
                               on=D(2025, 5, 12)),
     sl.CurrencyMismatchError, ("C1", "EUR", "NOK", "R11")),
    ("a payment in another currency",
     lambda l: l.record_payment(l.invoices("C1")[0].number, Money("1.00", "EUR"),
                                on=D(2025, 5, 12)),
     sl.CurrencyMismatchError, ("EUR", "NOK")),
    ("a cohort that is not a period start",
     [lambda l: open_customer(l, "C3", anchor=D(2025, 1, 1), regime="in_advance"),
      lambda l: l.schedule_migration("C3", cohort=D(2025, 6, 15), on=D(2025, 3, 1))],
     sl.InvalidCohortError, ("C3", "2025-06-15", "R21")),
    ("a cohort in the past",
     [lambda l: open_customer(l, "C3", anchor=D(2025, 1, 1), regime="in_advance"),
      lambda l: l.schedule_migration("C3", cohort=D(2025, 4, 1), on=D(2025, 4, 2))],
     sl.InvalidCohortError, ("C3", "2025-04-01", "R21")),
    ("an invalid organisation number",
     lambda l: l.change_company_details("C1", on=D(2025, 5, 12), org_number="974760674"),
     sl.InvalidCompanyDetailsError, ("'974760674'", "R26")),
    ("an invalid IBAN",
     lambda l: l.change_company_details("C1", on=D(2025, 5, 12),
                                        bank_account="NO6681014453076"),
     sl.InvalidCompanyDetailsError, ("'NO6681014453076'", "R26")),
    ("a negative price",
     lambda l: l.change_prices("C1", {"user": Decimal("-1.00")}, effective=D(2025, 8, 1),
                               on=D(2025, 5, 12)),
     sl.InvalidPriceError, ("C1", "'user'", "-1.00")),
    ("a float price",
     lambda l: l.change_prices("C1", {"user": 99.5}, effective=D(2025, 8, 1),
                               on=D(2025, 5, 12)),
     sl.InvalidPriceError, ("C1", "99.5", "float")),
    ("a float price when opening",
     lambda l: l.open_subscription(
         "C3", company=norwegian_company(), currency="NOK", period_months=1,
         anchor=D(2025, 1, 1), prices={"user": 0.1}, on=D(2025, 1, 1)),
     sl.InvalidPriceError, ("C3", "float")),
    ("a price version that reprices an ordered period",
     lambda l: l.change_prices("C1", {"user": "90.00"}, effective=D(2025, 5, 1),
                               on=D(2025, 5, 12)),
     sl.PriceChangeTooLateError, ("C1", "2025-05-01", "R12")),
    ("the same command_id with another payload",
     lambda l: l.buy_licenses("C2", "user", 2, on=D(2025, 3, 10), command_id="c2-buy"),
     sl.IdempotencyConflictError, ("'c2-buy'", "buy_licenses")),
    ("a Visma.net change once the cut-over began",
     lambda l: l.buy_licenses("C2", "user", 1, on=D(2025, 5, 24), channel="visma.net"),
     sl.ChannelClosedError, ("C2", "2025-05-24", "R24")),
    ("an unknown channel",
     lambda l: l.buy_licenses("C2", "user", 1, on=D(2025, 5, 1), channel="fax"),
     sl.UnknownPolicyError, ("'fax'",)),
    ("a second subscription for a customer",
     lambda l: open_customer(l, "C1"),
     sl.SubscriptionExistsError, ("'C1'",)),
    ("a second migration",
     lambda l: l.schedule_migration("C2", cohort=D(2025, 7, 1), on=D(2025, 3, 11)),
     sl.MigrationError, ("C2", "R21")),
    ("terms accepted with no migration",
     lambda l: l.accept_terms("C1", version="v1", accepted_by="x", on=D(2025, 5, 12)),
     sl.MigrationError, ("C1", "R25")),
    ("a subscription opened before its anchor",
     lambda l: open_customer(l, "C3", anchor=D(2025, 6, 1), on=D(2025, 5, 31)),
     sl.BeforeAnchorError, ("C3", "2025-05-31", "2025-06-01")),
    ("a datetime instead of a date",
     lambda l: l.buy_licenses("C1", "user", 1, on=datetime(2025, 5, 12, 9, 0)),  # noqa: DTZ001
     sl.InvalidValueError, ("datetime.date",)),
    ("an unknown regime",
     lambda l: open_customer(l, "C3", regime="monthly", seller="visma-solutions-oy"),
     sl.UnknownPolicyError, ("'monthly'",)),
    ("an unknown proration policy",
     lambda l: open_customer(l, "C3", proration="thirty_365"),
     sl.UnknownPolicyError, ("'thirty_365'",)),
    ("an unknown seller",
     lambda l: open_customer(l, "C3", seller="visma-ab"),
     sl.UnknownPolicyError, ("'visma-ab'",)),
    ("an unknown currency",
     lambda l: open_customer(l, "C3", currency="XYZ"),
     sl.InvalidMoneyError, ("'XYZ'",)),
    ("a period length that is not 1, 3, 6 or 12",
     lambda l: open_customer(l, "C3", months=2),
     sl.InvalidPeriodError, ("2", "R1")),
    ("a payment of nothing",
     lambda l: l.record_payment(l.invoices("C1")[0].number, "0.00", on=D(2025, 5, 12)),
     sl.InvalidPaymentError, ("R29",)),
    ("a float payment",
     lambda l: l.record_payment(l.invoices("C1")[0].number, 10.5, on=D(2025, 5, 12)),
     sl.InvalidMoneyError, ("10.5", "float")),
    ("a payment of an unknown invoice",
     lambda l: l.record_payment("VSOY-999999", "1.00", on=D(2025, 5, 12)),
     sl.InvoiceNotFoundError, ("'VSOY-999999'",)),
    ("crediting an invoice twice",
     [lambda l: l.credit_invoice(l.invoices("C1")[0].number, reason="x", on=D(2025, 5, 12)),
      lambda l: l.credit_invoice(l.invoices("C1")[0].number, reason="y", on=D(2025, 5, 12))],
     sl.InvoiceNotCreditableError, ("already credited",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "command", "error", "fragments"), CASES, ids=[c[0] for c in CASES]
)
def test_refused_command_raises_and_leaves_history_unchanged(
    ledger: Ledger,
    case: str,
    command: Command | list[Command],
    error: type[Exception],
    fragments: tuple[str, ...],
) -> None:
    """A refused command raises its specific LedgerError and records nothing."""
    given(ledger)
    *setup, command = command if isinstance(command, list) else [command]
    for step in setup:
        step(ledger)
    before = stored_log(ledger)
    with pytest.raises(error) as raised:
        command(ledger)
    assert isinstance(raised.value, sl.LedgerError)
    for fragment in fragments:
        assert fragment in str(raised.value), (fragment, str(raised.value))
    assert stored_log(ledger) == before


def test_compound_command_is_all_or_nothing(memory_ledger: Ledger) -> None:
    """A batch whose last command is refused records none of the earlier ones."""
    given(memory_ledger)
    before = stored_log(memory_ledger)
    with pytest.raises(sl.NotEnoughLicensesError):
        memory_ledger.run_batch(
            [
                lambda: memory_ledger.buy_licenses("C1", "user", 1, on=D(2025, 5, 12)),
                lambda: memory_ledger.remove_licenses("C1", "user", 9, on=D(2025, 5, 12)),
            ]
        )
    assert stored_log(memory_ledger) == before


def test_visma_net_change_before_the_cutover_is_accepted(memory_ledger: Ledger) -> None:
    """R24: until the Saturday of the cut-over weekend, Visma.net changes are recorded."""
    given(memory_ledger)
    memory_ledger.buy_licenses("C2", "user", 1, on=D(2025, 5, 23), channel="visma.net")
    entry = memory_ledger.history("C2")[-1]
    assert entry.type in {"LicensesBought", "OrderConfirmed"}
    bought = [h for h in memory_ledger.history("C2") if h.type == "LicensesBought"][-1]
    assert bought.data["channel"] == "visma.net"


def test_retried_command_id_records_once_and_returns_first_result(memory_ledger: Ledger) -> None:
    """The same command_id and payload returns the first order and records nothing new."""
    given(memory_ledger)
    first = memory_ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5), command_id="k1")
    before = stored_log(memory_ledger)
    again = memory_ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5), command_id="k1")
    assert again == first
    assert stored_log(memory_ledger) == before
    assert memory_ledger.license_counts("C1")["user"].licenses == 3


def test_invalid_company_details_are_refused_on_opening(memory_ledger: Ledger) -> None:
    """R26: an invalid IBAN fails when the details are built, before any command."""
    with pytest.raises(sl.InvalidCompanyDetailsError, match="NO6681014453076"):
        norwegian_company(bank_account="NO6681014453076")


def test_buyer_country_without_a_vat_rule_is_refused() -> None:
    """R27: with a VAT table with no NO->abroad rule, moving the buyer to Sweden is refused."""
    rules = [r for r in sl.VatTable().rules if (r.seller_country, r.buyer_country) != ("NO", "*")]
    with Ledger.open("memory://", vat=sl.VatTable(rules)) as ledger:
        given(ledger)
        before = stored_log(ledger)
        with pytest.raises(sl.NoVatRuleError, match=r"seller in NO and a buyer in SE .*R27"):
            ledger.change_company_details(
                "C2", on=D(2025, 3, 11), country="SE", org_number="5560360793"
            )
        assert stored_log(ledger) == before
