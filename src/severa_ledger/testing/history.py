"""Generated command histories: what to record on a ledger, and the model of each subscription."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from severa_ledger.domain.company import CompanyDetails
from severa_ledger.testing.reference import ReferenceModel

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger

SELLER = {"in_advance": "visma-software-as", "after_start": "visma-solutions-oy"}


@attrs.frozen
class Command:
    """One Ledger command: its method name and arguments; it prints as the call."""

    name: str
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def on(self) -> date:
        """Return the command's business date."""
        day = self.kwargs.get("on", self.kwargs.get("through"))
        assert isinstance(day, date)  # noqa: S101 -- every generated command is dated
        return day

    def run(self, ledger: Ledger) -> object:
        """Record the command on ``ledger``."""
        return getattr(ledger, self.name)(*self.args, **self.kwargs)

    def mirror(self, model: ReferenceModel, day: date) -> None:
        """Apply what the command does to licenses to the reference model."""
        kw = self.kwargs
        if self.name == "buy_licenses":
            model.buy(self.args[1], self.args[2], day)
        elif self.name == "remove_licenses":
            model.remove(self.args[1], self.args[2], day)
        elif self.name == "activate_user" and kw["buy_if_needed"]:
            model.buy(kw["kind"], 1, day)
        elif self.name == "deactivate_user" and kw["remove_license"]:
            model.remove(self.args[1].rsplit("@", 1)[1], 1, day)
        elif self.name == "change_prices":
            model.change_prices(kw["effective"], dict(self.args[1]))
        elif self.name == "schedule_migration":
            model.migrate(kw["cohort"], day)

    def __repr__(self) -> str:
        args = [repr(a) for a in self.args]
        for key, value in self.kwargs.items():
            args.append(f"{key}={value.isoformat() if isinstance(value, date) else value!r}")
        return f"{self.name}({', '.join(args)})"


@attrs.define
class SubscriptionPlan:
    """A subscription to open, and the commands that follow for it."""

    customer: str
    anchor: date
    months: int
    regime: str
    prices: dict[str, Decimal]
    company: CompanyDetails
    commands: list[Command] = attrs.field(factory=list)

    def opening(self) -> Command:
        """Return the command that opens the subscription on its anchor."""
        return Command(
            "open_subscription",
            (self.customer,),
            {
                "company": self.company,
                "currency": "NOK",
                "period_months": self.months,
                "anchor": self.anchor,
                "prices": self.prices,
                "on": self.anchor,
                "seller": SELLER[self.regime],
                "regime": self.regime,
            },
        )

    def model(self) -> ReferenceModel:
        """Return a fresh reference model of this subscription."""
        return ReferenceModel(
            self.anchor, self.months, self.regime, [(self.anchor, dict(self.prices))]
        )


@attrs.define
class History:
    """Commands for one or more subscriptions, in date order, and their reference models."""

    plans: list[SubscriptionPlan]
    commands: list[Command]
    through: date
    models: dict[str, ReferenceModel] = attrs.field(factory=dict)
    #: The EUR/NOK rate recorded before the first command, so that Finnish VAT on an
    #: invoice in NOK can be stated in EUR (R32); None: none, and such invoices are held back.
    eur_nok: str | None = "11.4532"

    @classmethod
    def of(cls, plans: list[SubscriptionPlan], tail: timedelta) -> History:
        """Merge the plans' commands by date; bill ``tail`` after the last one."""
        steps = [(p.anchor, 0, p.opening()) for p in plans]
        steps += [(c.on, 1, c) for p in plans for c in p.commands]
        ordered = [c for _, _, c in sorted(steps, key=lambda s: (s[0], s[1]))]
        last = max(c.on for c in ordered)
        return cls(plans, ordered, last + tail)

    @property
    def customers(self) -> list[str]:
        """Return the customer numbers, in order."""
        return [p.customer for p in self.plans]

    def apply(self, ledger: Ledger) -> None:
        """Record every command, bill through ``through``, and build the models."""
        if self.eur_nok is not None and self.commands:
            ledger.record_exchange_rate("NOK", self.eur_nok, on=self.commands[0].on)
        for command in self.commands:
            command.run(ledger)
        ledger.run_billing(through=self.through)
        self.models = {}
        for plan in self.plans:
            model = plan.model()
            for command in plan.commands:
                command.mirror(model, command.on)
            model.finish(self.through)
            self.models[plan.customer] = model

    def __repr__(self) -> str:
        calls = "\n".join(f"    ledger.{c!r}" for c in self.commands)
        return f"History(through={self.through.isoformat()}):\n{calls}"
