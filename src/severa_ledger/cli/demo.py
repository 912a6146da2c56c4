"""The worked scenario of the announcement (``seed/severa-migration-no.txt``), as commands.

Three Norwegian customers, one per migration cohort (2025-04-01, 2025-05-01,
2025-06-01), each with a year of quarterly history on Visma Software AS under
the ``in_advance`` regime (R20), then moved to Visma Solutions Oy (R21):

* ``1001`` (cohort 2025-04-01) and ``1002`` (cohort 2025-05-01) are scheduled
  before their legacy advance renewal (ordered one month before the period),
  so the new seller bills the cohort's period on the cohort date (R22).
* ``1003`` (cohort 2025-06-01) is scheduled after its legacy advance renewal
  was invoiced on 2025-05-01, so the new seller does not bill that period
  again; its first Visma Solutions Oy renewal is 2025-09-01 (R22).
* ``1002`` adds one user on 2025-06-05: 57/92 of a quarter at 100.00 NOK a
  month, 185.87 NOK, invoiced Monday 2025-06-09, due 2025-06-23 (R9, R15, R16).
* ``2001`` is a Finnish buyer opened directly on Visma Solutions Oy, monthly,
  in EUR, so its invoices carry Finnish VAT 25.5 %, category S (R27).

:func:`load_demo` records the commands and bills through 2025-05-16, so that
the 2025-05-05 renewal invoice of ``1002`` exists and can be paid (R29).
Billing further (through 2025-08-31 in ``severa-ledger demo``) is the
caller's step. No printing here: the CLI renders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.errors import InvoiceNotFoundError
from severa_ledger.domain.sellers import NEW_SELLER

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger

THROUGH = date(2025, 8, 31)
SEED_CUSTOMER = "1002"
SEED_ADDITION = date(2025, 6, 5)
PAID_THROUGH = date(2025, 5, 16)
NOK_PRICES = {"user": Decimal("100.00")}
TERMS = "Visma Solutions Oy terms of service 2025"


def _norwegian(name: str, org_number: str, street: str, postcode: str, city: str) -> CompanyDetails:
    return CompanyDetails(
        legal_name=name,
        org_number=org_number,
        country="NO",
        street=street,
        postcode=postcode,
        city=city,
        invoice_email=f"faktura@{org_number}.example.no",
    )


def _open_legacy(ledger: Ledger, customer: str, company: CompanyDetails, anchor: date) -> None:
    """Open a quarterly NOK subscription on the legacy seller, in advance (R20)."""
    ledger.open_subscription(
        customer,
        company=company,
        currency="NOK",
        period_months=3,
        anchor=anchor,
        prices=NOK_PRICES,
        on=anchor,
    )


def _users(ledger: Ledger, customer: str, users: list[str], on: date) -> None:
    for user in users:
        ledger.activate_user(customer, user, on=on)


def _cohort_april(ledger: Ledger) -> None:
    """Record a customer scheduled before its 2025-03-01 advance renewal; remove a seat."""
    company = _norwegian("Fjordtech Consulting AS", "974760673", "Storgata 1", "0155", "Oslo")
    _open_legacy(ledger, "1001", company, date(2024, 4, 1))
    ledger.buy_licenses("1001", "user", 4, on=date(2024, 4, 1))
    _users(ledger, "1001", ["kari", "ola", "ingrid", "nils"], date(2024, 4, 2))
    ledger.schedule_migration("1001", cohort=date(2025, 4, 1), on=date(2025, 1, 15))
    ledger.deactivate_user("1001", "nils", on=date(2025, 2, 10), remove_license=True)
    ledger.accept_terms("1001", version=TERMS, accepted_by="kari", on=date(2025, 4, 2))


def _cohort_may(ledger: Ledger) -> None:
    """Record the announcement's customer, scheduled before its 2025-04-01 advance renewal."""
    company = _norwegian("Bergen Prosjektpartner AS", "910203045", "Bryggen 5", "5003", "Bergen")
    _open_legacy(ledger, SEED_CUSTOMER, company, date(2024, 5, 1))
    ledger.buy_licenses(SEED_CUSTOMER, "user", 3, on=date(2024, 5, 1))
    _users(ledger, SEED_CUSTOMER, ["anne", "per", "sigrid"], date(2024, 5, 1))
    ledger.schedule_migration(SEED_CUSTOMER, cohort=date(2025, 5, 1), on=date(2025, 2, 10))
    ledger.accept_terms(SEED_CUSTOMER, version=TERMS, accepted_by="anne", on=date(2025, 5, 2))


def _cohort_june_history(ledger: Ledger) -> None:
    """Record a legacy customer that adds a seat mid-period in 2024 (R14, R20)."""
    company = _norwegian("Trondheim Analyse AS", "920304052", "Munkegata 10", "7011", "Trondheim")
    _open_legacy(ledger, "1003", company, date(2024, 6, 1))
    ledger.buy_licenses("1003", "user", 2, on=date(2024, 6, 1))
    _users(ledger, "1003", ["eva", "jonas"], date(2024, 6, 3))
    ledger.buy_licenses("1003", "user", 1, on=date(2024, 10, 14))
    ledger.activate_user("1003", "marte", on=date(2024, 10, 14))


def _finnish_buyer(ledger: Ledger) -> None:
    """Record a Finnish buyer on the new seller, monthly, in EUR (R27: 25.5 %, S)."""
    company = CompanyDetails(
        legal_name="Saimaa Softworks Oy",
        org_number="3123456-3",
        country="FI",
        street="Kauppakatu 20",
        postcode="53100",
        city="Lappeenranta",
        invoice_email="laskut@saimaa-softworks.example.fi",
    )
    ledger.open_subscription(
        "2001",
        company=company,
        currency="EUR",
        period_months=1,
        anchor=date(2025, 3, 1),
        prices={"user": Decimal("15.00")},
        seller=NEW_SELLER,
        regime="after_start",
        on=date(2025, 3, 1),
    )
    ledger.buy_licenses("2001", "user", 5, on=date(2025, 3, 3))
    _users(ledger, "2001", ["aino", "eero", "helmi", "veikko"], date(2025, 3, 3))


def _pay_seed_renewal(ledger: Ledger) -> None:
    """Pay the first Visma Solutions Oy renewal of ``1002`` in full (R29)."""
    issued = date(2025, 5, 5)
    invoice = next(
        (i for i in ledger.invoices(SEED_CUSTOMER) if i.issue_date == issued),
        None,
    )
    if invoice is None:
        raise InvoiceNotFoundError(f"customer {SEED_CUSTOMER} has no invoice of {issued}")
    ledger.record_payment(invoice.number, invoice.total, on=PAID_THROUGH)


def _after_payment(ledger: Ledger) -> None:
    """Schedule the 2025-06-01 cohort after its advance renewal; add the seed's user."""
    ledger.schedule_migration("1003", cohort=date(2025, 6, 1), on=date(2025, 5, 20))
    ledger.accept_terms("1003", version=TERMS, accepted_by="eva", on=date(2025, 6, 2))
    ledger.activate_user(SEED_CUSTOMER, "lars", on=SEED_ADDITION, buy_if_needed=True)
    ledger.change_company_details("2001", on=date(2025, 6, 16), street="Valtakatu 31")


def load_demo(ledger: Ledger) -> None:
    """Record the demo scenario; bill through 2025-05-16 and pay one invoice."""
    _cohort_april(ledger)
    _cohort_may(ledger)
    _cohort_june_history(ledger)
    _finnish_buyer(ledger)
    ledger.run_billing(through=PAID_THROUGH)
    _pay_seed_renewal(ledger)
    _after_payment(ledger)


def seed_addition_invoice(ledger: Ledger) -> str | None:
    """Return the number of the invoice billing the 2025-06-05 addition, once issued."""
    return next(
        (
            order.invoice_number
            for order in ledger.orders(SEED_CUSTOMER)
            if order.date == SEED_ADDITION and order.kind == "addition"
        ),
        None,
    )
