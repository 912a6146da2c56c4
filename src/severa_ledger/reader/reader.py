"""LedgerReader: the event-sourced application and every query (docs/architecture.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any, ClassVar, cast
from uuid import UUID

import attrs
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import Mapper

from severa_ledger.domain.account import Account, account_id
from severa_ledger.domain.billing import MONDAY, InvoiceNumber, build_invoice, issue_date
from severa_ledger.domain.documents import InvoiceView, OrderConfirmation
from severa_ledger.domain.errors import InvoiceNotFoundError, SubscriptionNotFoundError
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.sellers import DEFAULT_SELLERS, SellerRegistry
from severa_ledger.domain.series import InvoiceSeries
from severa_ledger.domain.subscription import OPENED_TOPIC, Subscription, subscription_id
from severa_ledger.domain.tax import DEFAULT_VAT, VatTable
from severa_ledger.domain.values import LicenseCount
from severa_ledger.reader.explaining import explained_documents
from severa_ledger.reader.read_models import ReadModels
from severa_ledger.reader.references import ReferenceQueries
from severa_ledger.reader.scheduled import ScheduledQueries, undated
from severa_ledger.reader.views import HIDDEN_FIELDS, HistoryEntry, OrderView, Preview, Receivables
from severa_ledger.store.known import check_instant, known_version, recorded_by
from severa_ledger.store.mapper import LedgerMapper
from severa_ledger.store.transcodings import LedgerTranscodings
from severa_ledger.store.unit import Unit, project

SNAPSHOT_EVERY = 100


PAGE = 1000


class LedgerReader(ScheduledQueries, ReferenceQueries, LedgerTranscodings, Application[UUID]):
    """The read side of :class:`~severa_ledger.Ledger`: every query, no command."""

    name = "severa_ledger"
    #: Long-lived aggregates are snapshotted, so loading one does not replay years of events.
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Subscription: SNAPSHOT_EVERY,
        Account: SNAPSHOT_EVERY,
        InvoiceSeries: SNAPSHOT_EVERY,
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        sellers: SellerRegistry = DEFAULT_SELLERS,
        vat: VatTable = DEFAULT_VAT,
        invoice_weekday: int = MONDAY,
    ) -> None:
        super().__init__(env)
        self.sellers = sellers
        self.vat = vat
        self.invoice_weekday = invoice_weekday

    def construct_mapper(self) -> Mapper[UUID]:
        """Return eventsourcing's mapper decoding through :class:`LedgerMapper` (same events)."""
        if self.env.get(self.factory.MAPPER_TOPIC):
            return super().construct_mapper()
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=LedgerMapper
        )

    def __init_subclass__(cls, **kwargs: object) -> None:
        """Keep the stored name (PostgreSQL table names, env prefix) for every subclass."""
        super().__init_subclass__(**kwargs)
        if "name" not in cls.__dict__ or cls.name == cls.__name__:
            cls.name = LedgerReader.name

    def issue_date_of(self, order: OrderConfirmation) -> date:
        """Return the date an order's invoice is issued (R15, R20)."""
        return issue_date(order.date, order.regime, self.invoice_weekday)

    #: Queries read the read models (docs/projections.md); False: they fold the aggregates.
    read_models_enabled = True

    @cached_property
    def read_models(self) -> ReadModels:
        """Return the read models kept beside this ledger's events (docs/projections.md)."""
        return ReadModels(self)

    def catch_up(self) -> int:
        """Fold the events recorded since the last catch-up into every read model; count them."""
        return self.read_models.catch_up()

    def _reads_models(self, known_at: datetime | None) -> bool:
        return self.read_models_enabled and known_at is None

    def _customer_of(self, unit: Unit, number: str) -> str:
        series_name, _, sequence = str(number).rpartition("-")
        seller = self.sellers.by_series(series_name)
        series = unit.series(seller) if seller else None
        customer = series.customer_of(int(sequence)) if series and sequence.isdigit() else None
        if customer is None:
            raise InvoiceNotFoundError(f"no invoice numbered {number!r}")
        return customer

    def subscription(
        self, customer_number: str, as_of: date | None = None, known_at: datetime | None = None
    ) -> Subscription | None:
        """Return the subscription as recorded, or as it stood on ``as_of`` (None before).

        With ``known_at`` (an aware datetime), only what was recorded by that
        instant counts (docs/auditing.md); before its opening was recorded,
        the subscription is not found.
        """
        sid = subscription_id(customer_number)
        if as_of is None and known_at is None:
            try:
                found = cast("Subscription", self.repository.get(sid, projector_func=project))
            except AggregateNotFoundError:
                raise SubscriptionNotFoundError(
                    f"no subscription for customer {customer_number!r}"
                ) from None
            return found
        day = None if as_of is None else check_date(as_of, "as_of")
        instant = None if known_at is None else check_instant(known_at)
        version = known_version(undated(self.events.get(sid)), known_at=instant, as_of=day)
        if version is None:
            first = next(iter(self.events.get(sid, limit=1)), None)
            if first is None or not recorded_by(first, instant):
                when = f" was recorded by {instant.isoformat()}" if instant and first else ""
                raise SubscriptionNotFoundError(
                    f"no subscription for customer {customer_number!r}{when}"
                )
            return None
        sub = cast(
            "Subscription", self.repository.get(sid, version=version, projector_func=project)
        )
        if day is not None:
            sub.advance_to(day)  # applied in memory only: queries never record
        return sub

    def license_counts(
        self, customer_number: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> dict[str, LicenseCount]:
        """Return licenses, active users, free and pending removal per kind (R3-R6)."""
        if self._reads_models(known_at):
            found = self.read_models.license_counts(customer_number, as_of)
            if found is not None:
                return found
        sub = self.subscription(customer_number, as_of, known_at)
        return sub.counts() if sub is not None else {}

    def upcoming_cost(
        self, customer_number: str, *, as_of: date, known_at: datetime | None = None
    ) -> Preview:
        """Return the next period's cost as its renewal invoice will show it (R28)."""
        sub = None
        if self._reads_models(known_at):
            sub = self.read_models.held(customer_number, as_of)
        if sub is None:
            sub = self.subscription(customer_number, as_of, known_at)
        if sub is None:
            raise SubscriptionNotFoundError(
                f"customer {customer_number!r} had no subscription on {as_of.isoformat()}"
            )
        index = sub.period_index + 1
        order_date, seller, regime = sub.renewal_terms(index)
        order = OrderConfirmation(
            customer_number=customer_number,
            sequence=0,
            date=order_date,
            kind="renewal",
            seller=seller,
            regime=regime,
            currency=sub.currency,
            lines=sub.renewal_lines(index, deduct_billed=False),
        )
        issued = issue_date(order_date, regime, self.invoice_weekday)
        draft = build_invoice(
            order,
            number=InvoiceNumber(self.sellers[seller].series, 0),
            issued=issued,
            seller=self.sellers[seller],
            buyer=sub.company_on(issued),
            vat=self.vat,
        )
        period = sub.schedule.period(index)
        return Preview(
            customer_number=customer_number,
            period_start=period.start,
            period_end=period.end,
            order_date=order_date,
            issue_date=issued,
            seller=seller,
            currency=sub.currency,
            lines=draft.lines,
            net=draft.net,
            vat=draft.vat,
            total=draft.total,
        )

    def terms_acceptance_required(
        self, customer_number: str, *, as_of: date, known_at: datetime | None = None
    ) -> bool:
        """Return whether the new seller's terms await acceptance on ``as_of`` (R25)."""
        sub = self.subscription(customer_number, as_of, known_at)
        return sub is not None and sub.terms_acceptance_required(as_of)

    def account(self, customer_number: str, known_at: datetime | None = None) -> Account:
        """Return the customer's account of invoices and payments (as recorded by ``known_at``)."""
        self.subscription(customer_number, known_at=known_at)
        aid = account_id(customer_number)
        version = None
        if known_at is not None:
            version = known_version(self.events.get(aid), known_at=check_instant(known_at))
            if version is None:  # recorded a moment after its subscription: nothing in it yet
                return Account(customer_number=customer_number)
        return cast("Account", self.repository.get(aid, version=version, projector_func=project))

    def orders(self, customer_number: str, *, known_at: datetime | None = None) -> list[OrderView]:
        """Return the order confirmations, oldest first, with their invoice numbers."""
        sub = self.subscription(customer_number, known_at=known_at)
        assert sub is not None  # noqa: S101 -- as_of=None never returns None
        billed = self.account(customer_number, known_at).by_order
        views = [
            OrderView(
                **{f.name: getattr(o, f.name) for f in attrs.fields(OrderConfirmation)},
                invoice_number=billed.get(str(o.sequence)),
            )
            for o in sub.orders
        ]
        return explained_documents(views, lambda _: sub)

    def invoices(
        self,
        customer_number: str | None = None,
        *,
        as_of: date | None = None,
        known_at: datetime | None = None,
    ) -> list[InvoiceView]:
        """Return invoices and credit notes (of one customer or all), by number."""
        if self._reads_models(known_at):
            found = self.read_models.invoices(customer_number, as_of)
            if found is not None:
                return self._explained(found, known_at)
        customers = [customer_number] if customer_number else self.customers(known_at=known_at)
        views = [
            account.view(number, as_of)
            for account in (self.account(c, known_at) for c in customers)
            for number in account.invoices
        ]
        return self._explained(sorted(views, key=lambda v: (v.series, v.sequence)), known_at)

    def _explained(self, views: list[InvoiceView], known_at: datetime | None) -> list[InvoiceView]:
        """Return ``views`` with the lines stored without explanation explained (issue 19)."""
        return explained_documents(views, lambda c: self.subscription(c, known_at=known_at))

    def invoice(
        self, number: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> InvoiceView:
        """Return one invoice with its status as of a date (R18, R29)."""
        if self._reads_models(known_at):
            found = self.read_models.invoice(number, as_of)
            if found is not None:
                return self._explained([found], known_at)[0]
        account = self.account(self._customer_of(Unit(self), number), known_at)
        if number not in account.invoices:
            when = f" was recorded by {known_at.isoformat()}" if known_at else ""
            raise InvoiceNotFoundError(f"no invoice numbered {number!r}{when}")
        return self._explained([account.view(number, as_of)], known_at)[0]

    def receivables(
        self, customer_number: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> Receivables:
        """Return balance, credit and every invoice's status for a customer (R29)."""
        if self._reads_models(known_at):
            found = self.read_models.receivables(customer_number, as_of)
            if found is not None:
                balance, credit, views = found
                return Receivables(customer_number, balance, credit, views)
        account = self.account(customer_number, known_at)
        return Receivables(
            customer_number=customer_number,
            balance=account.balance(as_of),
            credit=account.credit_balance(as_of),
            invoices=tuple(account.view(n, as_of) for n in account.invoices),
        )

    def customers(self, *, known_at: datetime | None = None) -> list[str]:
        """Return every customer number with a subscription (recorded by ``known_at``)."""
        instant = None if known_at is None else check_instant(known_at)
        return [e.customer_number for e in self._select([OPENED_TOPIC]) if recorded_by(e, instant)]

    def _select(self, topics: Sequence[str]) -> Iterator[Any]:
        last = 0
        while True:
            notes = self.recorder.select_notifications(
                start=last, limit=PAGE, topics=topics, inclusive_of_start=False
            )
            if not notes:
                return
            for note in notes:
                yield self.mapper.to_domain_event(note)
            last = notes[-1].id

    def history(
        self, customer_number: str, *, known_at: datetime | None = None
    ) -> list[HistoryEntry]:
        """Return the customer's recorded facts (those recorded by ``known_at``), oldest first."""
        self.subscription(customer_number, known_at=known_at)
        instant = None if known_at is None else check_instant(known_at)
        events: list[Any] = [
            e
            for e in (
                *self.events.get(subscription_id(customer_number)),
                *self.events.get(account_id(customer_number)),
            )
            if recorded_by(e, instant)
        ]
        events.sort(key=lambda e: e.timestamp)
        return [
            HistoryEntry(
                type=type(e).__name__,
                effective_date=getattr(e, "effective_date", None),
                recorded_at=e.timestamp,
                aggregate=type(e).__qualname__.split(".")[0],
                version=e.originator_version,
                data={k: v for k, v in vars(e).items() if k not in HIDDEN_FIELDS},
                backdated=_backdated(getattr(e, "effective_date", None), e.timestamp),
            )
            for e in events
        ]


def _backdated(effective: object, recorded: datetime) -> bool:
    """Return whether a fact takes effect before the (UTC) day it was recorded."""
    return isinstance(effective, date) and effective < recorded.date()
