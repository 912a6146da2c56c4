"""Ledger: the only place that loads, decides and saves. Commands stay thin."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from functools import cached_property
from types import TracebackType
from typing import IO, Self, TypeVar, cast

import attrs
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
)
from eventsourcing.utils import Environment, EnvType

from severa_ledger.audit.chain import Seal
from severa_ledger.audit.export import export_jsonl
from severa_ledger.audit.recorders import chained_memory_recorder, recorder_topic
from severa_ledger.audit.trail import AuditTrail
from severa_ledger.audit.verify import VerifyReport, verify
from severa_ledger.billing_run import BillingReport, run_billing
from severa_ledger.domain.billing import (
    MONDAY,
    cutover_weekend,
)
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import OrderConfirmation
from severa_ledger.domain.errors import (
    ConcurrencyError,
    IdempotencyConflictError,
    InvalidCompanyDetailsError,
    InvalidValueError,
    SubscriptionExistsError,
)
from severa_ledger.domain.idempotency import CommandRecord, command_record_id
from severa_ledger.domain.periods import Schedule
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.sellers import (
    DEFAULT_SELLERS,
    LEGACY_SELLER,
    NEW_SELLER,
    SellerRegistry,
    check_channel,
    check_regime,
)
from severa_ledger.domain.subscription import Subscription
from severa_ledger.domain.tax import DEFAULT_VAT, VatTable
from severa_ledger.domain.values import Migration
from severa_ledger.persistence import environment
from severa_ledger.queries import LedgerReader
from severa_ledger.unit import MAX_ATTEMPTS, AggregateCache, Unit, back_off, retry_ddl

R = TypeVar("R")


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, date):
        return value.isoformat()
    if attrs.has(type(value)):
        fields = {f.name: getattr(value, f.name) for f in attrs.fields(type(value))}  # type: ignore[arg-type]
        return {k: _canonical(v) for k, v in fields.items()}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def digest(command: str, payload: Mapping[str, object]) -> str:
    """Return a stable digest of a command and its arguments (for command_id checks)."""
    text = json.dumps([command, _canonical(payload)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Ledger(LedgerReader):
    """Seat-based subscription billing as an event-sourced ledger (api.md)."""

    _batch: Unit | None = None
    #: Aggregates kept between commands (fast-forwarded before use); 0 turns it off.
    DEFAULT_CACHE_SIZE = 4_096

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        sellers: SellerRegistry = DEFAULT_SELLERS,
        vat: VatTable = DEFAULT_VAT,
        invoice_weekday: int = MONDAY,
        cipher_key: str | None = None,
        cache_size: int | None = None,
    ) -> Self:
        """Open the ledger stored at ``url`` (default: ``SEVERA_LEDGER_DB`` or the SQLite file).

        Processes that open a new PostgreSQL store at the same moment race on its
        CREATE statements; the losers retry after a short, random wait. With
        ``cipher_key`` (else ``SEVERA_LEDGER_CIPHER_KEY``), event states are
        stored encrypted (docs/auditing.md). ``cache_size`` aggregates are kept in
        memory between commands, each brought up to date from the store before use
        (default ``DEFAULT_CACHE_SIZE``; 0: load every aggregate from the store).
        """
        if cache_size is not None and (type(cache_size) is not int or cache_size < 0):
            raise InvalidValueError(f"cache_size must be an int >= 0, got {cache_size!r}")
        env = environment(url, cipher_key)
        ledger = retry_ddl(
            lambda: cls(env, sellers=sellers, vat=vat, invoice_weekday=invoice_weekday)
        )
        if cache_size is not None:
            ledger.aggregates.maxsize = cache_size
        return ledger

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------- machinery

    @cached_property
    def aggregates(self) -> AggregateCache:
        """Return the aggregates kept between this ledger's commands."""
        return AggregateCache(self.DEFAULT_CACHE_SIZE)

    def _execute(
        self,
        command: str,
        payload: Mapping[str, object],
        command_id: str | None,
        decide: Callable[[Unit], R],
    ) -> R:
        """Run ``decide`` in a unit of work and save it; retry on a writer conflict."""
        if command_id is not None and not isinstance(command_id, str):
            raise InvalidValueError(f"command_id must be a string, got {command_id!r}")
        key = digest(command, payload) if command_id is not None else ""
        for attempt in range(MAX_ATTEMPTS):
            unit = self._batch or Unit(self, self.aggregates)
            if command_id is not None:
                record = unit.get(command_record_id(command_id), CommandRecord)
                if record is not None:
                    return cast("R", self._replayed(record, command, key))
            result = decide(unit)
            if command_id is not None:
                unit.add(CommandRecord(command_id, command, key, result))
            unit.mark(keyed=command_id is not None)
            if self._batch is not None:
                return result
            try:
                unit.save_commands()
            except IntegrityError:
                back_off(attempt)
                continue
            return result
        raise ConcurrencyError(
            f"{command} still conflicted with other writers after {MAX_ATTEMPTS} attempts"
        )

    @staticmethod
    def _replayed(record: CommandRecord, command: str, key: str) -> object:
        if record.command != command or record.digest != key:
            raise IdempotencyConflictError(
                f"command_id {record.command_id!r} was used for a different command "
                f"({record.command}) or payload; refusing to record {command}"
            )
        return record.result

    def run_batch(self, commands: list[Callable[[], object]]) -> int:
        """Run commands in order, all decided before any is saved; return the events saved.

        Every command is decided first: one refusal records nothing of the
        batch. Then the batch is saved in one transaction when it fits
        ``MAX_EVENTS_PER_SAVE`` events, else in consecutive transactions of
        whole commands, each command's events with its command record. A batch
        that needs more than one transaction must give every command a
        ``command_id`` (else BatchTooLargeError, before anything is written):
        after a crash or a writer conflict between two transactions, running
        the same batch again (as this method does on a conflict) skips the
        commands already recorded and records each of the others once.
        """
        for attempt in range(MAX_ATTEMPTS):
            self._batch = Unit(self, self.aggregates)
            try:
                for run in commands:
                    run()
                unit, self._batch = self._batch, None
                return unit.save_commands()
            except IntegrityError:
                back_off(attempt)
                continue
            finally:
                self._batch = None
        raise ConcurrencyError(f"a batch still conflicted after {MAX_ATTEMPTS} attempts")

    # -------------------------------------------------------------- commands

    def open_subscription(
        self,
        customer_number: str,
        *,
        company: CompanyDetails,
        currency: str,
        period_months: int,
        anchor: date,
        prices: Mapping[str, Decimal | str | int],
        on: date,
        seller: str = LEGACY_SELLER,
        regime: str = "in_advance",
        proration: str = "actual_days",
        command_id: str | None = None,
    ) -> None:
        """Open a subscription (R1, R8-R12, R20, R26)."""
        if not isinstance(company, CompanyDetails):
            raise InvalidCompanyDetailsError(f"company must be CompanyDetails, got {company!r}")
        payload = {
            "customer_number": customer_number, "company": company, "currency": currency,
            "period_months": period_months, "anchor": anchor, "prices": dict(prices),
            "on": on, "seller": seller, "regime": regime, "proration": proration,
        }  # fmt: skip

        def decide(unit: Unit) -> None:
            day = check_date(on)
            self.vat.rule(self.sellers[seller].country, company.country, day)
            sub = Subscription.open(
                customer_number,
                company=company,
                currency=currency,
                schedule=Schedule(check_date(anchor, "anchor"), period_months),
                prices=prices,
                seller=seller,
                regime=check_regime(regime),
                proration=proration,
                on=day,
            )
            if unit.get(sub.id, Subscription) is not None:
                raise SubscriptionExistsError(
                    f"customer {customer_number!r} already has a subscription"
                )
            unit.add(sub)
            unit.account(customer_number)

        self._execute("open_subscription", payload, command_id, decide)

    def buy_licenses(
        self,
        customer_number: str,
        kind: str,
        quantity: int,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> OrderConfirmation | None:
        """Buy licenses (R3, R4, R14); return the addition order confirmation, if any."""
        payload = {"customer_number": customer_number, "kind": kind, "quantity": quantity,
                   "on": on, "channel": channel}  # fmt: skip
        return self._execute(
            "buy_licenses",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).buy(kind, quantity, on, channel),
        )

    def remove_licenses(
        self,
        customer_number: str,
        kind: str,
        quantity: int,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> date:
        """Schedule a removal (R4, R5); return the date the count drops."""
        payload = {"customer_number": customer_number, "kind": kind, "quantity": quantity,
                   "on": on, "channel": channel}  # fmt: skip
        return self._execute(
            "remove_licenses",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).schedule_removal(
                kind, quantity, on, channel
            ),
        )

    def activate_user(
        self,
        customer_number: str,
        user_id: str,
        *,
        on: date,
        kind: str = "user",
        buy_if_needed: bool = False,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> OrderConfirmation | None:
        """Activate a user (R5, R7); with ``buy_if_needed``, buy a license in the same change."""
        payload = {"customer_number": customer_number, "user_id": user_id, "on": on,
                   "kind": kind, "buy_if_needed": buy_if_needed, "channel": channel}  # fmt: skip
        return self._execute(
            "activate_user",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).activate(
                user_id, kind, on, channel, buy_if_needed=buy_if_needed
            ),
        )

    def deactivate_user(
        self,
        customer_number: str,
        user_id: str,
        *,
        on: date,
        remove_license: bool = False,
        channel: str = "severa",
        command_id: str | None = None,
    ) -> None:
        """Deactivate a user (R6); with ``remove_license``, schedule removing the seat (R4)."""
        payload = {"customer_number": customer_number, "user_id": user_id, "on": on,
                   "remove_license": remove_license, "channel": channel}  # fmt: skip
        self._execute(
            "deactivate_user",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).deactivate(
                user_id, on, channel, remove_license=remove_license
            ),
        )

    def change_company_details(
        self,
        customer_number: str,
        *,
        on: date,
        channel: str = "severa",
        command_id: str | None = None,
        **fields: str | None,
    ) -> CompanyDetails:
        """Record changed company details from ``on`` (R26); return the new details."""
        payload = {"customer_number": customer_number, "on": on, "channel": channel, **fields}

        def decide(unit: Unit) -> CompanyDetails:
            sub = unit.subscription(customer_number)
            details = sub.company.changed(**fields)
            self.vat.rule(self.sellers[sub.seller].country, details.country, check_date(on))
            sub.change_company(details, on, check_channel(channel))
            return details

        return self._execute("change_company_details", payload, command_id, decide)

    def change_prices(
        self,
        customer_number: str,
        prices: Mapping[str, Decimal | str | int],
        *,
        effective: date,
        on: date,
        command_id: str | None = None,
    ) -> None:
        """Record a new price-list version effective from ``effective`` (R12)."""
        payload = {"customer_number": customer_number, "prices": dict(prices),
                   "effective": effective, "on": on}  # fmt: skip
        self._execute(
            "change_prices",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).change_prices(prices, effective, on),
        )

    def schedule_migration(
        self,
        customer_number: str,
        *,
        cohort: date,
        on: date,
        seller: str = NEW_SELLER,
        command_id: str | None = None,
    ) -> Migration:
        """Schedule the move to Visma Solutions Oy from ``cohort`` (R21-R24)."""
        payload = {"customer_number": customer_number, "cohort": cohort, "on": on,
                   "seller": seller}  # fmt: skip

        def decide(unit: Unit) -> Migration:
            sub = unit.subscription(customer_number)
            day = check_date(on)
            start, end = cutover_weekend(check_date(cohort, "cohort"))
            self.vat.rule(self.sellers[seller].country, sub.company.country, cohort)
            migration = Migration(cohort, seller, "after_start", start, end, day)
            sub.schedule_migration(migration)
            return migration

        return self._execute("schedule_migration", payload, command_id, decide)

    def accept_terms(
        self,
        customer_number: str,
        *,
        version: str,
        accepted_by: str,
        on: date,
        command_id: str | None = None,
    ) -> None:
        """Record the acceptance of the new seller's terms of service (R25)."""
        payload = {"customer_number": customer_number, "version": version,
                   "accepted_by": accepted_by, "on": on}  # fmt: skip
        self._execute(
            "accept_terms",
            payload,
            command_id,
            lambda unit: unit.subscription(customer_number).accept_terms(version, accepted_by, on),
        )

    def record_payment(
        self, invoice_number: str, amount: Decimal | str | int, *, on: date,
        command_id: str | None = None,
    ) -> None:  # fmt: skip
        """Record a payment against an invoice (R29); overpayment becomes credit."""
        payload = {"invoice_number": invoice_number, "amount": amount, "on": on}

        def decide(unit: Unit) -> None:
            customer = self._customer_of(unit, invoice_number)
            unit.account(customer).pay(invoice_number, amount, check_date(on))

        self._execute("record_payment", payload, command_id, decide)

    def credit_invoice(
        self, number: str, *, reason: str, on: date, command_id: str | None = None
    ) -> str:
        """Issue a credit note (type 381) for invoice ``number`` (R17); return its number."""
        payload = {"number": number, "reason": reason, "on": on}

        def decide(unit: Unit) -> str:
            customer = self._customer_of(unit, number)
            account = unit.account(customer)
            original = account.invoices[number]
            seller = self.sellers[original.seller.key]
            series = unit.series(seller)
            day = check_date(on)
            (credit_number,) = series.assign([customer], day)
            return account.credit(number, credit_number, day, reason).number

        return self._execute("credit_invoice", payload, command_id, decide)

    # --------------------------------------------------------------- billing

    def run_billing(self, *, through: date, workers: int | None = None) -> BillingReport:
        """Record every period roll, order and invoice due by ``through`` (R13-R20).

        Subscriptions are advanced by ``workers`` processes (default: one per
        core, up to 4, from 2,000 customers on a file or server store); invoices
        are numbered and issued in this one, in the same order either way.
        """
        return run_billing(self, through, workers)

    @staticmethod
    def cutover_weekend(cohort: date) -> tuple[date, date]:
        """Return the Visma.net cut-over Saturday and Sunday for a cohort date (R24)."""
        return cutover_weekend(cohort)

    # -------------------------------------------------------------- auditing

    @cached_property
    def trail(self) -> AuditTrail:
        """Return the hash chain kept over this ledger's log (docs/auditing.md)."""
        return AuditTrail(self.recorder, self.mapper)

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Use the recorder that chains each save in its own transaction (audit/recorders.py)."""
        environment = super().construct_env(name, env)
        module = environment.get("PERSISTENCE_MODULE") or "eventsourcing.popo"
        topic = recorder_topic(module)
        if topic and not environment.get("APPLICATION_RECORDER_TOPIC"):
            environment["APPLICATION_RECORDER_TOPIC"] = topic
        return environment

    def construct_recorder(self) -> ApplicationRecorder:
        """Chain in memory too (eventsourcing's POPO factory takes no recorder topic)."""
        return chained_memory_recorder(super().construct_recorder())

    def extend_chain(self) -> int:
        """Chain every event not chained yet (a store from before the chain); return how many."""
        return self.trail.extend()

    def seal(self) -> Seal:
        """Return the chain's head (position, digest, events, time), to keep outside the store."""
        return self.trail.seal()

    def verify(self, seal: Seal | None = None, *, workers: int | None = None) -> VerifyReport:
        """Check the hash chain (and that the log extends ``seal``); re-derive every document.

        Large stores are re-derived by ``workers`` processes (default: one per
        core, up to 4, from 80,000 events on a file or server store).
        """
        return verify(self.trail, self, seal, workers)

    def export(
        self,
        stream: IO[str],
        *,
        customer_number: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> int:
        """Write the log as JSON Lines to ``stream`` (filtered); return the lines written."""
        return export_jsonl(self, stream, customer_number=customer_number, since=since,
                            until=until)  # fmt: skip
