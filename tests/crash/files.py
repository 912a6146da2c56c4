"""Command files the crash tests apply, and the stores they start from.

The book is ``benchmarks.book``'s seeded synthetic book (a year of changes of
``customers`` customers). The purchase files are the measured scenarios:
customers opened up front, then a file buying one license for each of them
several times, one line a purchase, without command ids.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

from benchmarks.book import BILL_THROUGH, make_book

from severa_ledger import Ledger
from severa_ledger.cli.commands_file import apply_commands

COMPANY = {
    "legal_name": "Fjordtech Consulting AS", "org_number": "974760673", "country": "NO",
    "street": "Storgata 1", "postcode": "0155", "city": "Oslo",
}  # fmt: skip
OPENED = date(2025, 1, 1)
PURCHASED = date(2025, 3, 10)
#: Events one purchase line records: LicensesBought, OrderConfirmed and its command record.
EVENTS_PER_PURCHASE = 3
THROUGH = BILL_THROUGH


def book_text(customers: int, seed: int = 2025) -> str:
    """Return the seeded synthetic book of ``customers`` customers as an apply file."""
    return make_book(customers, seed).jsonl()


def line(command: str, **fields: object) -> str:
    """Return one command line."""
    return json.dumps({"command": command, **fields}, separators=(",", ":"))


def customer_numbers(prefix: str, count: int) -> list[str]:
    """Return ``count`` customer numbers: A0001, A0002, ..."""
    return [f"{prefix}{i:04d}" for i in range(1, count + 1)]


def opening_text(customers: Iterable[str]) -> str:
    """Return a file opening a monthly subscription with one license for each customer."""
    lines = []
    for customer in customers:
        lines.append(line(
            "open_subscription", customer_number=customer, company=COMPANY, currency="NOK",
            period_months=1, anchor=OPENED.isoformat(), prices={"user": "100.00"},
            seller="visma-solutions-oy", regime="after_start", on=OPENED.isoformat(),
        ))  # fmt: skip
        lines.append(purchase(customer, on=OPENED))
    return "\n".join(lines) + "\n"


def purchase(customer: str, on: date = PURCHASED, **extra: object) -> str:
    """Return a line buying one user license for ``customer`` (on the purchase day)."""
    return line("buy_licenses", customer_number=customer, kind="user", quantity=1,
                on=on.isoformat(), **extra)  # fmt: skip


def open_customers(url: str, customers: Iterable[str]) -> None:
    """Open the customers (one license each) in the store at ``url``, in this process."""
    with Ledger.open(url) as ledger:
        apply_commands(ledger, opening_text(customers))


def apply_in_process(url: str, text: str) -> None:
    """Apply a command file to the store at ``url`` in this process."""
    with Ledger.open(url) as ledger:
        apply_commands(ledger, text)


def twice_each(customers: Iterable[str]) -> list[str]:
    """Return two identical purchase lines for every customer, one after the other."""
    return [purchase(c) for customer in customers for c in (customer, customer)]
