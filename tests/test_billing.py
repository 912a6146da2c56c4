"""Billing through the public API, with amounts and dates worked out by hand (R8-R29)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from severa_ledger import Ledger
from tests.conftest import finnish_company, open_customer, stored_log

D = date
NOK = Decimal


def lines(ledger: Ledger, number: str) -> list[tuple[int, str, Decimal, Decimal, date, date]]:
    """Return an invoice's lines as (quantity, unit, unit price, amount, start, end)."""
    return [
        (x.quantity, x.unit, x.unit_price, x.amount, x.period_start, x.period_end)
        for x in ledger.invoice(number).lines
    ]


def test_seed_addition_on_2025_06_05_is_invoiced_on_monday_2025_06_09(ledger: Ledger) -> None:
    """R9, R14-R16, R21, R23, R27: the announcement's worked example, end to end."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    order = ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    assert order is not None
    assert (order.date, order.kind, order.seller) == (
        D(2025, 6, 5),
        "addition",
        "visma-solutions-oy",
    )
    report = ledger.run_billing(through=D(2025, 6, 30))
    # 2025-02-01 addition (Sat -> Mon 02-03), 2025-05-01 renewal (Thu -> Mon 05-05), 06-05 addition
    assert report.invoice_numbers == ("VSOY-000001", "VSOY-000002", "VSOY-000003")
    invoice = ledger.invoice("VSOY-000003")
    assert (invoice.issue_date, invoice.due_date) == (D(2025, 6, 9), D(2025, 6, 23))
    # 57/92 of 3 x 100.00 = 185.869.. -> 185.87
    assert lines(ledger, "VSOY-000003") == [
        (1, "license", NOK("185.87"), NOK("185.87"), D(2025, 6, 5), D(2025, 7, 31))
    ]
    assert (invoice.net, invoice.vat, invoice.total) == (NOK("185.87"), NOK("0.00"), NOK("185.87"))
    assert invoice.seller.vat_id == "FI19675438"
    assert invoice.seller.name == "Visma Solutions Oy"
    assert invoice.payment_details is not None
    assert invoice.payment_details.iban == "NO6681014453075"
    assert invoice.payment_details.bank == "Danske Bank Norge"
    assert invoice.lines[0].vat_category == "AE"
    assert "Reverse charge" in invoice.notes
    assert invoice.payment_reference == "00000034"  # R30: KID MOD10 of 0000003: 3x2=6, check 4
    assert invoice.currency == "NOK"
    assert invoice.buyer.org_number == "974760673"


def test_renewal_on_2025_05_01_is_invoiced_on_2025_05_05(ledger: Ledger) -> None:
    """R13, R15: the renewal covers the whole period: 3 licenses x 3 months at 100.00."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 5, 5))
    renewal = ledger.invoice("VSOY-000002")
    assert (renewal.order_date, renewal.issue_date, renewal.due_date) == (
        D(2025, 5, 1),
        D(2025, 5, 5),
        D(2025, 5, 19),
    )
    assert lines(ledger, "VSOY-000002") == [
        (9, "month", NOK("100.00"), NOK("900.00"), D(2025, 5, 1), D(2025, 7, 31))
    ]


def test_order_on_sunday_2025_06_01_is_invoiced_monday_2025_06_02(ledger: Ledger) -> None:
    """R15: a monthly renewal on Sunday 2025-06-01 is invoiced the next day."""
    open_customer(ledger, "C1", anchor=D(2025, 5, 1), months=1)
    ledger.buy_licenses("C1", "user", 2, on=D(2025, 5, 1))
    report = ledger.run_billing(through=D(2025, 6, 2))
    renewal = ledger.invoice(report.invoice_numbers[-1])
    assert (renewal.order_date, renewal.issue_date) == (D(2025, 6, 1), D(2025, 6, 2))
    assert renewal.total == NOK("200.00")


def test_thirty_360_policy_bills_186_67_for_the_seed_addition(ledger: Ledger) -> None:
    """R10: 5.6 to 31.7 is 56 of 90 days under 30E/360: 300 x 56/90 = 186.67."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1), proration="thirty_360")
    order = ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    assert order is not None
    assert order.lines[0].unit_price == NOK("186.67")


def test_addition_on_period_start_costs_full_period(ledger: Ledger) -> None:
    """R9: d = s gives the full period price, 3 x 100.00 per license."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    order = ledger.buy_licenses("C1", "user", 2, on=D(2025, 5, 1))
    assert order is not None
    assert [(x.unit_price, x.amount) for x in order.lines] == [(NOK("300.00"), NOK("600.00"))]


def test_in_advance_purchase_after_the_renewal_bills_two_lines(ledger: Ledger) -> None:
    """R20: bought after the advance renewal: rest of this period, then the whole next one."""
    open_customer(ledger, "L1", anchor=D(2025, 1, 1), regime="in_advance")
    ledger.buy_licenses("L1", "user", 2, on=D(2025, 1, 1))
    ledger.run_billing(through=D(2025, 3, 1))  # advance renewal of Q2 on 2025-03-01
    order = ledger.buy_licenses("L1", "user", 1, on=D(2025, 3, 15))
    assert order is not None
    # Q1 is 90 days; 03-15..03-31 is 17: 300 x 17/90 = 56.666.. -> 56.67
    assert [(x.quantity, x.unit, x.unit_price, x.amount) for x in order.lines] == [
        (1, "license", NOK("56.67"), NOK("56.67")),
        (3, "month", NOK("100.00"), NOK("300.00")),
    ]
    report = ledger.run_billing(through=D(2025, 3, 15))
    invoice = ledger.invoice(report.invoice_numbers[-1])
    assert invoice.issue_date == D(2025, 3, 15)  # in_advance: invoiced on the order date
    assert invoice.seller.name == "Visma Software AS"
    # 356.67 x 25 % = 89.1675 -> 89.17
    assert (invoice.net, invoice.vat, invoice.total) == (NOK("356.67"), NOK("89.17"), NOK("445.84"))
    assert [i.issue_date for i in ledger.invoices("L1")] == [
        D(2025, 1, 1),
        D(2025, 3, 1),
        D(2025, 3, 15),
    ]
    assert ledger.invoice("VSAS-000002").total == NOK("750.00")  # 6 x 100 + 25 %


def test_in_advance_removal_after_the_renewal_takes_effect_a_period_later(
    ledger: Ledger,
) -> None:
    """R20: a removal recorded after the advance renewal drops the count one period later."""
    open_customer(ledger, "L1", anchor=D(2025, 1, 1), regime="in_advance")
    ledger.buy_licenses("L1", "user", 3, on=D(2025, 1, 1))
    ledger.run_billing(through=D(2025, 3, 1))
    assert ledger.remove_licenses("L1", "user", 1, on=D(2025, 3, 20)) == D(2025, 7, 1)
    counts = ledger.license_counts
    assert counts("L1", as_of=D(2025, 4, 1))["user"].licenses == 3
    assert counts("L1", as_of=D(2025, 6, 30))["user"].licenses == 3
    assert counts("L1", as_of=D(2025, 7, 1))["user"].licenses == 2
    report = ledger.run_billing(through=D(2025, 6, 1))
    q3 = ledger.invoice(report.invoice_numbers[-1])
    assert (q3.issue_date, q3.net) == (D(2025, 6, 1), NOK("600.00"))  # 2 x 3 x 100


def test_after_start_removal_drops_the_count_at_the_next_period_start(
    ledger: Ledger,
) -> None:
    """R4: seats stay until the next period start; the renewal bills what is left."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    assert ledger.remove_licenses("C1", "user", 2, on=D(2025, 3, 3)) == D(2025, 5, 1)
    before = ledger.license_counts("C1", as_of=D(2025, 4, 30))["user"]
    assert (before.licenses, before.pending_removal, before.free) == (3, 2, 1)
    after = ledger.license_counts("C1", as_of=D(2025, 5, 1))["user"]
    assert (after.licenses, after.pending_removal, after.free) == (1, 0, 1)
    ledger.run_billing(through=D(2025, 5, 5))
    assert ledger.invoice("VSOY-000002").net == NOK("300.00")  # 1 x 3 x 100


def test_buying_while_a_removal_is_pending_cancels_it_at_no_charge(ledger: Ledger) -> None:
    """R4: the purchase cancels the pending removal first; no order is created."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    ledger.remove_licenses("C1", "user", 2, on=D(2025, 3, 3))
    assert ledger.buy_licenses("C1", "user", 1, on=D(2025, 3, 4)) is None
    counts = ledger.license_counts("C1")["user"]
    assert (counts.licenses, counts.pending_removal) == (3, 1)
    order = ledger.buy_licenses("C1", "user", 2, on=D(2025, 3, 5))
    assert order is not None
    assert [x.quantity for x in order.lines] == [1]  # one cancels, one is new


def test_activation_with_buy_if_needed_buys_and_activates_atomically(
    ledger: Ledger,
) -> None:
    """R5: the purchase, then the activation, recorded together."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    before = len(ledger.history("C1"))
    order = ledger.activate_user("C1", "anna", on=D(2025, 2, 1), buy_if_needed=True)
    assert order is not None
    assert order.lines[0].amount == NOK("300.00")
    types = [h.type for h in ledger.history("C1")[before:]]
    assert types == ["LicensesBought", "OrderConfirmed", "UserActivated"]
    counts = ledger.license_counts("C1")["user"]
    assert (counts.licenses, counts.active_users, counts.free) == (1, 1, 0)


def test_deactivation_with_remove_license_frees_and_schedules_removal(
    ledger: Ledger,
) -> None:
    """R6: the seat is freed at once and removed at the next period start."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.activate_user("C1", "anna", on=D(2025, 2, 1), buy_if_needed=True)
    ledger.deactivate_user("C1", "anna", on=D(2025, 3, 1), remove_license=True)
    counts = ledger.license_counts("C1")["user"]
    assert (counts.licenses, counts.active_users, counts.pending_removal) == (1, 0, 1)
    assert ledger.license_counts("C1", as_of=D(2025, 5, 1))["user"].licenses == 0


def legacy_customer_with_history(ledger: Ledger, customer: str = "M1") -> None:
    """A legacy in_advance quarterly customer from 2024-05-01 with 2 licenses."""
    open_customer(ledger, customer, anchor=D(2024, 5, 1), regime="in_advance")
    ledger.buy_licenses(customer, "user", 2, on=D(2024, 5, 1))


def test_migration_known_before_the_advance_invoice_bills_the_cohort_period_once(
    ledger: Ledger,
) -> None:
    """R21, R22: no legacy advance renewal for 2025-05-01; the new seller bills it on 05-01."""
    legacy_customer_with_history(ledger)
    ledger.schedule_migration("M1", cohort=D(2025, 5, 1), on=D(2025, 3, 15))
    ledger.run_billing(through=D(2025, 5, 31))
    summary = [(i.number, i.order_date, i.issue_date, i.net, i.vat) for i in ledger.invoices("M1")]
    assert summary == [
        ("VSAS-000001", D(2024, 5, 1), D(2024, 5, 1), NOK("600.00"), NOK("150.00")),
        ("VSAS-000002", D(2024, 7, 1), D(2024, 7, 1), NOK("600.00"), NOK("150.00")),
        ("VSAS-000003", D(2024, 10, 1), D(2024, 10, 1), NOK("600.00"), NOK("150.00")),
        ("VSAS-000004", D(2025, 1, 1), D(2025, 1, 1), NOK("600.00"), NOK("150.00")),
        ("VSOY-000001", D(2025, 5, 1), D(2025, 5, 5), NOK("600.00"), NOK("0.00")),
    ]
    assert ledger.terms_acceptance_required("M1", as_of=D(2025, 4, 30)) is False
    assert ledger.terms_acceptance_required("M1", as_of=D(2025, 5, 1)) is True
    ledger.accept_terms("M1", version="2025-01", accepted_by="cfo@example.no", on=D(2025, 5, 2))
    assert ledger.terms_acceptance_required("M1", as_of=D(2025, 5, 2)) is False
    assert ledger.terms_acceptance_required("M1", as_of=D(2025, 5, 1)) is True


def test_migration_known_after_the_advance_invoice_does_not_bill_again(ledger: Ledger) -> None:
    """R22: the legacy seller billed May-July on 2025-04-01; the new seller skips it."""
    legacy_customer_with_history(ledger)
    ledger.run_billing(through=D(2025, 4, 1))
    ledger.schedule_migration("M1", cohort=D(2025, 5, 1), on=D(2025, 4, 10))
    order = ledger.buy_licenses("M1", "user", 1, on=D(2025, 4, 20))
    assert order is not None
    # Feb-Apr is 89 days; 04-20..04-30 is 11: 300 x 11/89 = 37.078.. -> 37.08; then May-July
    assert order.seller == "visma-software-as"
    assert [(x.quantity, x.unit_price, x.amount, x.period_start) for x in order.lines] == [
        (1, NOK("37.08"), NOK("37.08"), D(2025, 4, 20)),
        (3, NOK("100.00"), NOK("300.00"), D(2025, 5, 1)),
    ]
    ledger.run_billing(through=D(2025, 8, 31))
    vsoy = [i for i in ledger.invoices("M1") if i.series == "VSOY"]
    # nothing left to bill on 2025-05-01; the first new-seller invoice is the August renewal
    assert [(i.order_date, i.issue_date, i.net) for i in vsoy] == [
        (D(2025, 8, 1), D(2025, 8, 4), NOK("900.00"))
    ]
    legacy_may = [i for i in ledger.invoices("M1") if i.order_date == D(2025, 4, 1)]
    assert [(i.series, i.net) for i in legacy_may] == [("VSAS", NOK("600.00"))]


@pytest.mark.parametrize(
    ("cohort", "saturday", "sunday"),
    [
        (D(2025, 4, 1), D(2025, 3, 29), D(2025, 3, 30)),
        (D(2025, 5, 1), D(2025, 4, 26), D(2025, 4, 27)),
        (D(2025, 6, 1), D(2025, 5, 24), D(2025, 5, 25)),
    ],
)
def test_each_cohort_has_its_cutover_weekend(
    ledger: Ledger, cohort: date, saturday: date, sunday: date
) -> None:
    """R24: the last Saturday-Sunday ending strictly before the cohort date."""
    assert Ledger.cutover_weekend(cohort) == (saturday, sunday)
    open_customer(ledger, "M1", anchor=cohort.replace(year=2024), months=1, regime="in_advance")
    migration = ledger.schedule_migration("M1", cohort=cohort, on=D(2025, 2, 1))
    assert (migration.cutover_start, migration.cutover_end) == (saturday, sunday)


def test_finnish_buyer_pays_finnish_vat_by_issue_date(ledger: Ledger) -> None:
    """R27: 24 % on an invoice of 2024-08-05, 25.5 % from 2024-09-01, category S."""
    open_customer(
        ledger,
        "F1",
        anchor=D(2024, 8, 1),
        months=1,
        currency="EUR",
        price="10.00",
        company=finnish_company(),
    )
    ledger.buy_licenses("F1", "user", 3, on=D(2024, 8, 1))
    ledger.run_billing(through=D(2024, 9, 30))
    first, second = ledger.invoices("F1")
    assert (first.issue_date, first.vat, first.total) == (D(2024, 8, 5), NOK("7.20"), NOK("37.20"))
    # renewal on Sunday 2024-09-01, invoiced Monday 09-02: 30.00 x 25.5 % = 7.65
    assert (second.issue_date, second.vat, second.total) == (
        D(2024, 9, 2),
        NOK("7.65"),
        NOK("37.65"),
    )
    assert second.lines[0].vat_category == "S"
    assert second.lines[0].vat_rate == NOK("25.5")
    assert second.payment_details is None
    assert any("No payment details" in n for n in second.notes)


def test_billing_twice_records_nothing_new(ledger: Ledger) -> None:
    """A rerun of the same billing run is idempotent."""
    legacy_customer_with_history(ledger)
    ledger.run_billing(through=D(2025, 3, 1))
    before = stored_log(ledger)
    report = ledger.run_billing(through=D(2025, 3, 1))
    assert report.invoice_numbers == ()
    assert report.events == 0
    assert stored_log(ledger) == before


def book(ledger: Ledger) -> None:
    """Three customers on both sellers and regimes, with changes over half a year."""
    legacy_customer_with_history(ledger, "A")
    ledger.schedule_migration("A", cohort=D(2025, 5, 1), on=D(2025, 3, 15))
    open_customer(ledger, "B", anchor=D(2025, 1, 1), months=1)
    ledger.buy_licenses("B", "user", 2, on=D(2025, 1, 1))
    open_customer(ledger, "C", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C", "user", 4, on=D(2025, 2, 10))
    ledger.buy_licenses("B", "user", 1, on=D(2025, 3, 12))
    ledger.remove_licenses("C", "user", 1, on=D(2025, 3, 20))
    ledger.buy_licenses("A", "user", 1, on=D(2025, 4, 20))


def test_billing_day_by_day_equals_billing_at_once(store_url: str, tmp_path: object) -> None:
    """The same documents with the same numbers, however the span is cut."""
    with Ledger.open(store_url) as at_once:
        book(at_once)
        at_once.run_billing(through=D(2025, 6, 30))
        expected = at_once.invoices()
    with Ledger.open("memory://") as daily:
        book(daily)
        day = D(2024, 5, 1)
        while day <= D(2025, 6, 30):
            daily.run_billing(through=day)
            day = day.fromordinal(day.toordinal() + 1)
        assert daily.invoices() == expected
    assert len(expected) > 10


def test_invoice_numbers_are_gapless_per_seller_with_a_credit_note(ledger: Ledger) -> None:
    """R17: 1, 2, 3... per series across customers and runs; the credit note takes the next."""
    book(ledger)
    ledger.run_billing(through=D(2025, 3, 31))
    credited = ledger.invoices("C")[0].number
    note = ledger.credit_invoice(credited, reason="wrong buyer address", on=D(2025, 4, 2))
    ledger.run_billing(through=D(2025, 6, 30))
    by_series: dict[str, list[int]] = {}
    for invoice in ledger.invoices():
        by_series.setdefault(invoice.series, []).append(invoice.sequence)
    for sequences in by_series.values():
        assert sequences == list(range(1, len(sequences) + 1))
    credit = ledger.invoice(note)
    assert (credit.type_code, credit.credited_invoice, credit.series) == (381, credited, "VSOY")
    assert credit.total == -ledger.invoice(credited).total
    assert ledger.invoice(credited).status == "credited"
    issued_before = [
        i for i in ledger.invoices() if i.series == "VSOY" and i.sequence < credit.sequence
    ]
    assert all(i.issue_date <= D(2025, 4, 2) for i in issued_before)


def test_addition_recorded_after_its_weeks_run_is_invoiced_by_the_next(
    ledger: Ledger,
) -> None:
    """A billing run does not freeze the past week: a late order joins the next run."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 3, on=D(2025, 2, 1))
    ledger.run_billing(through=D(2025, 6, 9))
    ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    report = ledger.run_billing(through=D(2025, 6, 10))
    assert report.invoice_numbers == ("VSOY-000003",)
    assert ledger.invoice("VSOY-000003").issue_date == D(2025, 6, 9)


def test_payments_make_an_invoice_paid_and_overpayment_credit(ledger: Ledger) -> None:
    """R29: open, overdue after the due date, paid; the excess is customer credit."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 1, on=D(2025, 6, 5))
    ledger.run_billing(through=D(2025, 6, 9))
    number = ledger.invoices("C1")[-1].number
    ledger.record_payment(number, "100.00", on=D(2025, 6, 10))
    assert ledger.invoice(number, as_of=D(2025, 6, 23)).status == "open"
    assert ledger.invoice(number, as_of=D(2025, 6, 24)).status == "overdue"
    assert ledger.invoice(number, as_of=D(2025, 6, 24)).open_amount == NOK("85.87")
    ledger.record_payment(number, "100.00", on=D(2025, 6, 25))
    assert ledger.invoice(number, as_of=D(2025, 6, 25)).status == "paid"
    receivables = ledger.receivables("C1", as_of=D(2025, 6, 25))
    assert (receivables.balance, receivables.credit) == (NOK("0.00"), NOK("14.13"))


def test_preview_equals_the_renewal_invoice(ledger: Ledger) -> None:
    """R28: the preview is built by the renewal's own function: 4 x 3 x 100 = 1200.00."""
    open_customer(ledger, "C1", anchor=D(2025, 2, 1))
    ledger.buy_licenses("C1", "user", 4, on=D(2025, 2, 1))
    preview = ledger.upcoming_cost("C1", as_of=D(2025, 6, 10))
    assert (preview.period_start, preview.period_end) == (D(2025, 8, 1), D(2025, 10, 31))
    assert (preview.issue_date, preview.net, preview.total) == (
        D(2025, 8, 4),
        NOK("1200.00"),
        NOK("1200.00"),
    )
    report = ledger.run_billing(through=D(2025, 8, 4))
    renewal = ledger.invoice(report.invoice_numbers[-1])
    assert renewal.lines == preview.lines
    assert (renewal.net, renewal.vat, renewal.total, renewal.issue_date) == (
        preview.net,
        preview.vat,
        preview.total,
        preview.issue_date,
    )


def test_price_versions_apply_by_effective_date_not_recording_order(ledger: Ledger) -> None:
    """R12: a version recorded later but effective earlier does not override a later one."""
    open_customer(ledger, "C1", anchor=D(2024, 11, 1))
    ledger.buy_licenses("C1", "user", 1, on=D(2024, 11, 1))
    ledger.change_prices("C1", {"user": "110.00"}, effective=D(2025, 5, 1), on=D(2024, 11, 8))
    ledger.change_prices("C1", {"user": "105.00"}, effective=D(2025, 2, 1), on=D(2024, 11, 9))
    ledger.run_billing(through=D(2025, 5, 5))
    renewals = [(i.order_date, i.lines[0].unit_price) for i in ledger.invoices("C1")][1:]
    assert renewals == [(D(2025, 2, 1), NOK("105.00")), (D(2025, 5, 1), NOK("110.00"))]


def test_migration_scheduled_on_the_advance_order_day_comes_after_that_order(
    ledger: Ledger,
) -> None:
    """R22: a day's advance renewal is recorded before that day's commands."""
    legacy_customer_with_history(ledger)
    ledger.schedule_migration("M1", cohort=D(2025, 5, 1), on=D(2025, 4, 1))
    ledger.run_billing(through=D(2025, 5, 31))
    cohort_period = [(i.series, i.order_date, i.net) for i in ledger.invoices("M1")
                     if i.lines[0].period_start == D(2025, 5, 1)]  # fmt: skip
    assert cohort_period == [("VSAS", D(2025, 4, 1), NOK("600.00"))]


def test_preview_of_a_period_billed_in_advance_is_its_legacy_renewal(ledger: Ledger) -> None:
    """R28 with R22: after the advance order, the preview is that order's invoice."""
    legacy_customer_with_history(ledger)
    ledger.run_billing(through=D(2025, 4, 1))
    ledger.schedule_migration("M1", cohort=D(2025, 5, 1), on=D(2025, 4, 10))
    preview = ledger.upcoming_cost("M1", as_of=D(2025, 4, 10))
    renewal = ledger.invoices("M1")[-1]
    assert (preview.order_date, preview.issue_date, preview.seller) == (
        D(2025, 4, 1),
        D(2025, 4, 1),
        "visma-software-as",
    )
    assert (renewal.issue_date, renewal.lines, renewal.total) == (
        preview.issue_date,
        preview.lines,
        preview.total,
    )
