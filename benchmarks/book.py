"""A synthetic, deterministic book of customers and a year of their changes.

Every customer is drawn from its own ``random.Random(f"{seed}:{index}")``, so
the first 1,000 customers of a 10,000-customer book are the 1,000-customer
book, and a figure at one N can be compared with one at another.

The book is a list of command dicts in the JSON Lines shape of
``severa-ledger apply`` (``severa_ledger.cli.commands_file``), sorted by effective
date, so the same book drives the public API (``calls``) and the bulk import
(``jsonl``). It holds no ``run_billing`` lines: billing a year is measured on
its own, through ``BILL_THROUGH``.

The mix: 60 % monthly and 40 % quarterly periods; 70 % with the legacy seller
(Visma Software AS, billed in advance), the rest with Visma Solutions Oy
(after the period start, a quarter of them Finnish buyers in EUR); 85 % opened
when the ledger goes live on 2025-01-01 with an anchor in 2024, the others
opened during 2025; licenses bought at opening and later (prorated additions),
users activated (buying a seat when none is free) and deactivated, removals,
company-detail and price changes, and a migration cohort: most legacy
customers anchored on the first of a month move to the new seller on one of
the announcement's cohort dates and most accept its terms.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.domain.billing import cutover_weekend

SEED = 2025
GO_LIVE = date(2025, 1, 1)
LAST_CHANGE = date(2025, 11, 30)
BILL_THROUGH = date(2025, 12, 31)
COHORTS = (date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1))
LEGACY, NEW = "visma-software-as", "visma-solutions-oy"
CITIES = (("0155", "Oslo"), ("5003", "Bergen"), ("7011", "Trondheim"), ("4006", "Stavanger"))
FI_CITIES = (("00100", "Helsinki"), ("33100", "Tampere"), ("70100", "Kuopio"))
NO_PRICES = ("89.00", "100.00", "120.00")
ACTIONS = ("buy", "activate", "deactivate", "remove", "company", "prices")
WEIGHTS = (3, 3, 2, 2, 0.5, 0.5)

Command = dict[str, Any]
DATE_KEYS = ("on", "anchor", "effective", "cohort")


def _check_digit(digits: str, weights: tuple[int, ...], *, finnish: bool) -> int | None:
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    if finnish:
        return None if total == 1 else (0 if total == 0 else 11 - total)
    check = (11 - total) % 11
    return None if check == 10 else check


def norwegian_org_number(rnd: random.Random) -> str:
    """Return a valid Norwegian organisation number (MOD11)."""
    while True:
        body = f"{rnd.choice('89')}{rnd.randrange(10**7):07d}"
        check = _check_digit(body, (3, 2, 7, 6, 5, 4, 3, 2), finnish=False)
        if check is not None:
            return f"{body}{check}"


def finnish_business_id(rnd: random.Random) -> str:
    """Return a valid Finnish business id (Y-tunnus), 1234567-8."""
    while True:
        body = f"{rnd.randrange(10**7):07d}"
        check = _check_digit(body, (7, 9, 10, 5, 8, 4, 2), finnish=True)
        if check is not None:
            return f"{body}-{check}"


@dataclass
class _State:
    """What the generator knows of one subscription, to draw only valid commands."""

    number: str
    anchor: date
    months: int
    prices: dict[str, str]
    legacy: bool
    held: dict[str, int] = field(default_factory=dict)  # licenses after pending removals
    users: list[str] = field(default_factory=list)
    next_user: int = 1
    cutover: date | None = None
    out: list[Command] = field(default_factory=list)

    def start(self, index: int) -> date:
        return self.anchor + relativedelta(months=index * self.months)

    def index_of(self, day: date) -> int:
        index = ((day.year - self.anchor.year) * 12 + day.month - self.anchor.month) // self.months
        while self.start(index) > day:
            index -= 1
        while self.start(index + 1) <= day:
            index += 1
        return index

    def free(self, kind: str) -> int:
        return self.held.get(kind, 0) - (len(self.users) if kind == "user" else 0)

    def record(self, name: str, day: date, *, channel: bool = False, **fields: object) -> None:
        """Append a command line; license and user changes name their channel (R24)."""
        line: Command = {"command": name, "customer_number": self.number, **fields}
        line["on"] = day.isoformat()
        if channel:
            legacy = self.legacy and (self.cutover is None or day < self.cutover)
            line["channel"] = "visma.net" if legacy else "severa"
        self.out.append(line)


def _company(rnd: random.Random, index: int, country: str) -> dict[str, str]:
    if country == "FI":
        postcode, city = rnd.choice(FI_CITIES)
        name, org, street = f"Asiakas {index} Oy", finnish_business_id(rnd), "Kauppakatu"
        email = f"laskut{index}@example.fi"
    else:
        postcode, city = rnd.choice(CITIES)
        name, org, street = f"Kunde {index} AS", norwegian_org_number(rnd), "Storgata"
        email = f"faktura{index}@example.no"
    return {
        "legal_name": name,
        "org_number": org,
        "country": country,
        "street": f"{street} {rnd.randint(1, 90)}",
        "postcode": postcode,
        "city": city,
        "invoice_email": email,
    }


def _opening(rnd: random.Random) -> tuple[date, date]:
    """Return (anchor, opened on): mostly live at go-live with a 2024 anchor."""
    if rnd.random() < 0.85:
        day = 1 if rnd.random() < 0.9 else rnd.choice((15, 31))
        month = rnd.choice((1, 3, 5, 7, 8, 10, 12)) if day == 31 else rnd.randint(1, 12)
        return date(2024, month, day), GO_LIVE
    opened = GO_LIVE + timedelta(days=rnd.randint(1, 272))
    if rnd.random() < 0.8:
        opened = opened.replace(day=1)
    return opened, opened


def customer_commands(index: int, seed: int = SEED) -> list[Command]:
    """Return one customer's commands, in date order."""
    rnd = random.Random(f"{seed}:{index}")
    months = 1 if rnd.random() < 0.6 else 3
    anchor, opened = _opening(rnd)
    legacy = rnd.random() < 0.7 and opened < COHORTS[0]
    country = "FI" if not legacy and rnd.random() < 0.25 else "NO"
    currency = "EUR" if country == "FI" else "NOK"
    prices = {"user": "9.90" if currency == "EUR" else rnd.choice(NO_PRICES)}
    if rnd.random() < 0.3:
        prices["storage"] = "0.70" if currency == "EUR" else "7.35"
    state = _State(f"C{index:07d}", anchor, months, dict(prices), legacy)
    state.record(
        "open_subscription",
        opened,
        company=_company(rnd, index, country),
        currency=currency,
        period_months=months,
        anchor=anchor.isoformat(),
        prices=prices,
        seller=LEGACY if legacy else NEW,
        regime="in_advance" if legacy else "after_start",
    )
    _initial_licenses(rnd, state, opened)
    for day, action in _plan(rnd, state, opened):
        _draw(rnd, state, day, action)
    return state.out


def _initial_licenses(rnd: random.Random, state: _State, day: date) -> None:
    bought = rnd.randint(1, 12)
    _buy(state, day, "user", bought)
    if "storage" in state.prices:
        _buy(state, day, "storage", rnd.randint(1, 5))
    for _ in range(rnd.randint(0, min(bought, 4))):
        _activate(state, day)


def _plan(rnd: random.Random, state: _State, opened: date) -> list[tuple[date, str]]:
    """Return the dated actions after opening, migration and terms included, sorted."""
    span = (LAST_CHANGE - opened).days
    plan = [
        (opened + timedelta(days=rnd.randint(1, span)), rnd.choices(ACTIONS, WEIGHTS)[0])
        for _ in range(rnd.randint(0, 6) if span > 0 else 0)
    ]
    cohorts = [  # period starts far enough ahead to announce the move
        c for c in COHORTS if (c - opened).days > 30 and state.start(state.index_of(c)) == c
    ]
    if state.legacy and cohorts and rnd.random() < 0.8:
        cohort = rnd.choice(cohorts)
        state.cutover = cutover_weekend(cohort)[0]
        scheduled = opened + timedelta(days=rnd.randint(1, (cohort - opened).days - 20))
        plan.append((scheduled, f"migrate:{cohort.isoformat()}"))
        if rnd.random() < 0.7:
            plan.append((cohort + timedelta(days=rnd.randint(0, 30)), "terms"))
    return sorted(plan, key=lambda item: item[0])


def _draw(rnd: random.Random, state: _State, day: date, action: str) -> None:
    kinds = sorted(state.prices)
    if action == "buy":
        _buy(state, day, rnd.choice(kinds), rnd.randint(1, 3))
    elif action == "activate" or (action == "deactivate" and not state.users):
        _activate(state, day)
    elif action == "deactivate":
        _deactivate(rnd, state, day)
    elif action == "remove":
        _remove_or_buy(rnd, state, day, rnd.choice(kinds))
    elif action == "company":
        email = f"billing{rnd.randint(1, 999)}@{state.number.lower()}.example"
        state.record("change_company_details", day, channel=True, invoice_email=email)
    elif action == "prices":
        price = Decimal(state.prices["user"]) * Decimal("1.05")
        state.prices["user"] = str(price.quantize(Decimal("0.01")))
        effective = state.start(state.index_of(day) + 2).isoformat()
        state.record(
            "change_prices", day, prices={"user": state.prices["user"]}, effective=effective
        )
    elif action.startswith("migrate:"):
        state.record("schedule_migration", day, cohort=action.removeprefix("migrate:"))
    elif action == "terms":
        state.record(
            "accept_terms",
            day,
            version="2025-1",
            accepted_by=f"admin@{state.number.lower()}.example",
        )


def _buy(state: _State, day: date, kind: str, quantity: int) -> None:
    state.held[kind] = state.held.get(kind, 0) + quantity
    state.record("buy_licenses", day, channel=True, kind=kind, quantity=quantity)


def _remove_or_buy(rnd: random.Random, state: _State, day: date, kind: str) -> None:
    free = state.free(kind)
    if free < 1:
        _buy(state, day, kind, 1)
        return
    quantity = rnd.randint(1, min(free, 3))
    state.held[kind] -= quantity
    state.record("remove_licenses", day, channel=True, kind=kind, quantity=quantity)


def _activate(state: _State, day: date) -> None:
    user = f"u{state.next_user}"
    state.next_user += 1
    needs_seat = state.free("user") < 1
    if needs_seat:
        state.held["user"] = state.held.get("user", 0) + 1
    state.users.append(user)
    state.record("activate_user", day, channel=True, user_id=user, buy_if_needed=needs_seat)


def _deactivate(rnd: random.Random, state: _State, day: date) -> None:
    user = state.users.pop(rnd.randrange(len(state.users)))
    remove = rnd.random() < 0.4
    if remove:
        state.held["user"] -= 1
    state.record("deactivate_user", day, channel=True, user_id=user, remove_license=remove)


@dataclass(frozen=True)
class Book:
    """The commands of ``customers`` customers, in effective-date order."""

    customers: int
    commands: list[Command]
    through: date = BILL_THROUGH

    def jsonl(self) -> str:
        """Return the book as a ``severa-ledger apply`` file."""
        return "".join(json.dumps(c, separators=(",", ":")) + "\n" for c in self.commands)

    def calls(self) -> list[Callable[[Ledger], object]]:
        """Return one callable per command: ``call(ledger)`` runs it through the API."""
        return [bound(c) for c in self.commands]


def customer_groups(customers: int, size: int, seed: int = SEED) -> Iterator[list[Command]]:
    """Yield the commands of ``size`` customers at a time, each group in date order.

    Large books are loaded group by group, so the whole book is never in memory.
    """
    for first in range(0, customers, size):
        group = [
            c
            for i in range(first, min(first + size, customers))
            for c in customer_commands(i, seed)
        ]
        group.sort(key=lambda c: c["on"])  # stable: a customer's same-day commands keep order
        yield group


def bound(command: Command) -> Callable[[Ledger], object]:
    """Return ``command`` converted to Python values, as a call on a ledger."""
    kwargs = {k: v for k, v in command.items() if k != "command"}
    for key in DATE_KEYS:
        if key in kwargs:
            kwargs[key] = date.fromisoformat(kwargs[key])
    if "company" in kwargs:
        kwargs["company"] = CompanyDetails(**kwargs["company"])
    name = command["command"]

    def call(ledger: Ledger) -> object:
        return getattr(ledger, name)(**kwargs)

    return call


def make_book(customers: int, seed: int = SEED) -> Book:
    """Return the book of ``customers`` customers, every command in date order."""
    (commands,) = customer_groups(customers, customers, seed)
    return Book(customers, commands)
