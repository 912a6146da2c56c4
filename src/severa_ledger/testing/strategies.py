"""Hypothesis strategies for the ledger's values and for whole command histories.

Every history is valid by construction: each command is drawn knowing what the
subscription holds at that moment (tracked by the naive
:class:`~severa_ledger.testing.ReferenceModel`), so a refusal while applying one
means the ledger disagrees with the rules. Lists shrink towards fewer, smaller
commands, which makes failures short to read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from stdnum.de import vat as de_vat
from stdnum.dk import cvr
from stdnum.fi import ytunnus
from stdnum.no import orgnr
from stdnum.se import orgnr as se_orgnr

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.limits import MAX_LICENSE_KINDS, MAX_MONTHLY_PRICE_MINOR, in_major_units
from severa_ledger.domain.money import Money, minor_units
from severa_ledger.domain.periods import PERIOD_LENGTHS, Period, Schedule
from severa_ledger.testing.history import Command, History, SubscriptionPlan
from severa_ledger.testing.reference import ReferenceModel

__all__ = [
    "Command",
    "History",
    "company_details",
    "histories",
    "money",
    "periods",
    "price_lists",
    "schedules",
]

COUNTRIES = ("NO", "FI", "SE", "DK", "DE", "US")
#: Buyers who must have a VAT id on a Finnish seller's reverse charge (R31).
EU_ABROAD = frozenset({"SE", "DK", "DE"})
KINDS = ("user", "storage")


def money(
    currency: str = "NOK", min_value: str = "0.00", max_value: str = "100000.00"
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` in whole minor units (two decimals for NOK), between the bounds."""
    amounts = st.decimals(Decimal(min_value), Decimal(max_value), places=minor_units(currency))
    return amounts.map(lambda amount: Money(amount, currency))


def schedules(
    anchors: st.SearchStrategy[date] | None = None,
) -> st.SearchStrategy[Schedule]:
    """Anchors (month ends and leap days included) with lengths of 1, 3, 6 or 12 months."""
    anchors = anchors or st.dates(date(2023, 1, 1), date(2026, 12, 31))
    return st.builds(Schedule, anchors, st.sampled_from(PERIOD_LENGTHS))


def periods() -> st.SearchStrategy[Period]:
    """Return billing periods: period ``k`` of a generated schedule (R1)."""
    return st.builds(lambda s, k: s.period(k), schedules(), st.integers(0, 40))


def price_lists(
    kinds: tuple[str, ...] = KINDS, max_price: str = "500.00"
) -> st.SearchStrategy[dict[str, Decimal]]:
    """Monthly prices per kind, as exact two-decimal amounts within the limits (R8, R11)."""
    largest = in_major_units(MAX_MONTHLY_PRICE_MINOR, "NOK")
    if Decimal(max_price) > largest or len(kinds) > MAX_LICENSE_KINDS:
        raise InvalidArgument(
            f"price_lists: max_price {max_price} or {len(kinds)} kinds is above the ledger's "
            f"limits ({largest} a month, {MAX_LICENSE_KINDS} kinds; docs/billing.md Limits)"
        )
    price = st.decimals(Decimal("0.01"), Decimal(max_price), places=2)
    return st.fixed_dictionaries(dict.fromkeys(kinds, price))


def _with_check_digit(base: str, is_valid: Callable[[str], bool]) -> str | None:
    return next((base + str(d) for d in range(10) if is_valid(base + str(d))), None)


def _identifier(country: str) -> st.SearchStrategy[str]:
    if country in {"DE", "US"}:  # no national scheme checked: any registration text (R26)
        return st.from_regex(r"(HRB|EIN) [0-9]{5,7}", fullmatch=True)
    digits = {"NO": 8, "FI": 7, "SE": 9, "DK": 7}[country]
    first = {"NO": "89", "FI": "0123456789", "SE": "5", "DK": "123456789"}[country]
    check = {
        "NO": orgnr.is_valid,
        "FI": ytunnus.is_valid,
        "SE": se_orgnr.is_valid,
        "DK": cvr.is_valid,
    }[country]
    bases = st.tuples(
        st.sampled_from(first), st.text("0123456789", min_size=digits - 1, max_size=digits - 1)
    )
    return bases.map(lambda b: _with_check_digit(b[0] + b[1], check)).filter(bool)  # type: ignore[return-value]


def _vat_id(country: str, number: str) -> str | None:
    if country == "DE":  # a German VAT number of the organisation's digits, check digit last
        digits = "".join(c for c in number if c.isdigit())
        found = _with_check_digit("1" + digits[-7:].rjust(7, "0"), de_vat.is_valid)
        return None if found is None else f"DE{found}"
    return {
        "NO": f"NO{number}MVA",
        "FI": f"FI{number}",
        "SE": f"SE{number}01",
        "DK": f"DK{number}",
    }.get(country)


@st.composite
def company_details(
    draw: st.DrawFn, country: str | st.SearchStrategy[str] | None = None
) -> CompanyDetails:
    """Company details with valid identifiers for NO, FI, SE, DK, DE or US (R26).

    Buyers in SE, DK and DE always have a VAT id: a Finnish seller's reverse
    charge to them needs it (R31).
    """
    if country is None:
        country = st.sampled_from(COUNTRIES)
    chosen = draw(country) if isinstance(country, st.SearchStrategy) else country
    number = draw(_identifier(chosen))
    name = draw(st.sampled_from(["Fjordtech", "Savo Data", "Norrsken", "Havn"]))
    return CompanyDetails(
        legal_name=f"{name} {draw(st.integers(1, 999))}",
        org_number=number,
        country=chosen,
        street=draw(st.sampled_from(["Storgata 1", "Kauppakatu 2", "Drottninggatan 3"])),
        postcode=draw(st.from_regex(r"[0-9]{4,5}", fullmatch=True)),
        city=draw(st.sampled_from(["Oslo", "Kuopio", "Lund", "Aarhus"])),
        vat_id=_vat_id(chosen, number) if chosen in EU_ABROAD or draw(st.booleans()) else None,
        invoice_email="invoices@example.com",
    )


ANCHORS = (date(2024, 1, 31), date(2024, 2, 29), date(2024, 5, 1), date(2024, 11, 30))


@st.composite
def _subscription(draw: st.DrawFn, customer: str, max_commands: int) -> SubscriptionPlan:
    regime = draw(st.sampled_from(["in_advance", "after_start"]))
    plan = SubscriptionPlan(
        customer=customer,
        anchor=draw(st.sampled_from(ANCHORS)),
        months=draw(st.sampled_from([1, 3])),
        regime=regime,
        prices={"user": Decimal("100.00"), "storage": Decimal("7.35")},
        company=draw(company_details(country="NO" if regime == "in_advance" else None)),
    )
    model = plan.model()
    day = plan.anchor
    users: list[str] = []
    for number in range(draw(st.integers(0, max_commands))):
        day += timedelta(days=draw(st.integers(0, 45)))
        model.go_to(day)
        command = draw(_command(_Moment(plan, model, day, users, f"{customer}-u{number}")))
        if command is not None:
            plan.commands.append(command)
            command.mirror(model, day)
    return plan


def _free(model: ReferenceModel, users: list[str], kind: str) -> int:
    pending = sum(by_kind.get(kind, 0) for by_kind in model.pending.values())
    return model.licenses[kind] - pending - sum(1 for u in users if u.endswith(f"@{kind}"))


@attrs.frozen
class _Moment:
    """What a drawn command may depend on: the plan, the model, the day and the users."""

    plan: SubscriptionPlan
    model: ReferenceModel
    day: date
    users: list[str]
    new_user: str


def _buy(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    return Command("buy_licenses", (m.plan.customer, kind, draw(st.integers(1, 3))), {"on": m.day})


def _remove(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    free = _free(m.model, m.users, kind)
    if free < 1:
        return None
    quantity = draw(st.integers(1, free))
    return Command("remove_licenses", (m.plan.customer, kind, quantity), {"on": m.day})


def _activate(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    del draw
    buy = _free(m.model, m.users, kind) < 1
    m.users.append(f"{m.new_user}@{kind}")
    kwargs = {"on": m.day, "kind": kind, "buy_if_needed": buy}
    return Command("activate_user", (m.plan.customer, m.users[-1]), kwargs)


def _deactivate(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    del kind
    if not m.users:
        return None
    user = m.users.pop(draw(st.integers(0, len(m.users) - 1)))
    kwargs = {"on": m.day, "remove_license": draw(st.booleans())}
    return Command("deactivate_user", (m.plan.customer, user), kwargs)


def _price(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    after_next = m.model.period_of(m.model.period_of(m.day)[1] + timedelta(days=1))[1]
    effective = after_next + timedelta(days=1 + draw(st.integers(0, 60)))
    price = draw(st.decimals(Decimal("0.01"), Decimal("250.00"), places=2))
    kwargs = {"effective": effective, "on": m.day}
    return Command("change_prices", (m.plan.customer, {kind: price}), kwargs)


def _migrate(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    del kind
    if m.plan.regime != "in_advance" or m.model.cohort is not None:
        return None
    cohort = m.model.period_of(m.day)[1] + timedelta(days=1)
    for _ in range(draw(st.integers(0, 2))):  # from the anchor, never by stepping months
        cohort = m.model.period_of(cohort)[1] + timedelta(days=1)
    return Command("schedule_migration", (m.plan.customer,), {"cohort": cohort, "on": m.day})


def _bill(draw: st.DrawFn, m: _Moment, kind: str) -> Command | None:
    del draw, kind
    return Command("run_billing", (), {"through": m.day})


_ACTIONS = {
    "buy": _buy,
    "remove": _remove,
    "activate": _activate,
    "deactivate": _deactivate,
    "price": _price,
    "migrate": _migrate,
    "bill": _bill,
}
_WEIGHTED = ["buy", "buy", "remove", "activate", "deactivate", "price", "migrate", "bill"]


@st.composite
def _command(draw: st.DrawFn, moment: _Moment) -> Command | None:
    action = _ACTIONS[draw(st.sampled_from(_WEIGHTED))]
    return action(draw, moment, draw(st.sampled_from(KINDS)))


@st.composite
def histories(
    draw: st.DrawFn, customers: int | st.SearchStrategy[int] = 1, max_commands: int = 18
) -> History:
    """Command histories for one or more subscriptions, valid by construction.

    Purchases, removals, user changes, price changes, migrations at valid
    cohorts and billing runs, on both regimes, over anchors at month ends and
    leap days; :meth:`History.apply` records them on a ledger and
    ``history.models`` holds the reference model of each subscription.
    """
    count = draw(customers) if isinstance(customers, st.SearchStrategy) else customers
    plans = [draw(_subscription(f"P{n + 1}", max_commands)) for n in range(count)]
    tail = timedelta(days=draw(st.integers(0, 100)))
    return History.of(plans, tail)
