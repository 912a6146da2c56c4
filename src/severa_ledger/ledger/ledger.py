"""Ledger: seat-based subscription billing as an event-sourced ledger (docs/architecture.md).

Its commands are in :mod:`severa_ledger.ledger.subscriptions` (one subscription) and
here (payments, credit notes, billing, auditing); the queries it inherits are in
:mod:`severa_ledger.reader.reader`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import IO, cast

import attrs

from severa_ledger.audit.chain import Seal
from severa_ledger.audit.export import export_jsonl, records
from severa_ledger.audit.trail import AuditTrail
from severa_ledger.audit.verify import VerifyReport, verify
from severa_ledger.billing.plan import BillingReport
from severa_ledger.billing.preview import BillingPreview, preview_billing
from severa_ledger.billing.run import Progress, run_billing
from severa_ledger.billing.shared import LEASE, run_shared_billing
from severa_ledger.delivery.check import undelivered
from severa_ledger.domain import inputs
from severa_ledger.domain.billing import (
    cutover_weekend,
)
from severa_ledger.domain.credits import Creditable, CreditedLine, check_credit_date
from severa_ledger.domain.delivery import follower_id
from severa_ledger.domain.documents import INVOICE, OrderConfirmation
from severa_ledger.domain.errors import InvoiceNotFoundError, SubscriptionNotFoundError
from severa_ledger.domain.exchange import ExchangeRate, checked_rate
from severa_ledger.domain.rules import check_date
from severa_ledger.ledger.catalogue import COMMANDS, catalogued
from severa_ledger.ledger.deliveries import DeliveryCommands
from severa_ledger.ledger.documents import DocumentQueries
from severa_ledger.ledger.payments import PaymentImports
from severa_ledger.ledger.sequence import latest_issue_date
from severa_ledger.ledger.subscriptions import SubscriptionCommands
from severa_ledger.ledger.webhooks import WebhookCommands
from severa_ledger.store.unit import Unit


class Ledger(
    SubscriptionCommands, DocumentQueries, PaymentImports, DeliveryCommands, WebhookCommands
):
    """Seat-based subscription billing as an event-sourced ledger (docs/architecture.md)."""

    @catalogued("record_payment")
    def record_payment(
        self,
        invoice_number: str,
        amount: Decimal | str | int,
        *,
        on: date,
        command_id: str | None = None,
    ) -> None:
        """Record a payment against an invoice (R29); overpayment becomes credit."""
        payload = COMMANDS["record_payment"].payload(locals())

        def decide(unit: Unit) -> None:
            customer = self._customer_of(unit, invoice_number)
            unit.account(customer).pay(invoice_number, amount, check_date(on))

        self._execute("record_payment", payload, command_id, decide)

    @catalogued("credit_invoice")
    def credit_invoice(
        self,
        number: str,
        *,
        reason: str,
        on: date,
        lines: Mapping[int, Decimal | str | None] | Sequence[CreditedLine] | None = None,
        command_id: str | None = None,
    ) -> str:
        """Issue a credit note (type 381) for invoice ``number``; return its number (R17, R33).

        It credits all that remains of the invoice, or ``lines``: a line's number
        (from 1, as printed) -> the net amount to credit of it, or None for all that
        remains of the line (``{3: None, 5: "120.00"}``). It is dated ``on``, on or
        after the invoice's date and the latest issue date in the seller's series
        (CreditNoteDateError otherwise).
        """
        chosen = cast("list[CreditedLine] | None", lines)  # read by @catalogued
        payload = COMMANDS["credit_invoice"].payload(locals())

        def decide(unit: Unit) -> str:
            customer = self._customer_of(unit, number)
            account = unit.account(customer)
            original = account.invoices[number]
            series = unit.series(self.sellers[original.seller.key])
            day, latest = check_date(on), latest_issue_date(unit, series)
            check_credit_date(number, day, original.issue_date, series.series, latest or day)
            (credit_number,) = series.assign([customer], day)
            return account.credit(number, credit_number, day, reason, chosen, latest=latest).number

        return self._execute("credit_invoice", payload, command_id, decide)

    def creditable(self, number: str) -> Creditable:
        """Return what remains creditable of invoice ``number``, per line and in total (R33)."""
        account = self.account(self._customer_of(Unit(self), number))
        if number not in account.invoices:
            raise InvoiceNotFoundError(f"no invoice numbered {number!r}")
        if account.invoices[number].type_code != INVOICE:
            raise InvoiceNotFoundError(f"{number} is a credit note: nothing of it is creditable")
        return account.creditable(number)

    @catalogued("record_exchange_rate")
    def record_exchange_rate(
        self,
        quote: str,
        rate: str,
        *,
        on: date,
        base: str = "EUR",
        source: str = "ECB",
        command_id: str | None = None,
    ) -> ExchangeRate:
        """Record that 1 ``base`` is ``rate`` ``quote`` on ``on``, as ``source`` says (R32)."""
        payload = COMMANDS["record_exchange_rate"].payload(locals())

        def decide(unit: Unit) -> ExchangeRate:
            recorded = checked_rate(base, quote, rate, check_date(on), source)
            unit.rates().record(recorded)
            return recorded

        return self._execute("record_exchange_rate", payload, command_id, decide)

    # --------------------------------------------------------------- billing

    def run_billing(
        self, *, through: date, workers: int | None = None, progress: Progress | None = None
    ) -> BillingReport:
        """Record every period roll, order and invoice due by ``through`` (R13-R20).

        Subscriptions are advanced by ``workers`` processes (default: one per
        core, up to 4, from 2,000 customers on a file or server store); invoices
        are numbered and issued in this one, in the same order either way.
        ``progress``, if given, is called with (done, total) as the run goes.
        """
        return run_billing(self, inputs.in_window(through, "through"), workers, progress)

    def run_shared_billing(
        self, *, through: date, lease: float = LEASE, progress: Progress | None = None
    ) -> BillingReport:
        """Take part in the billing run through ``through`` shared by several processes.

        PostgreSQL only (``billing/shared.py``): every process started with the same
        date advances claimed chunks of customers; one at a time numbers and issues.
        A claim whose holder died is taken over after ``lease`` seconds.
        """
        return run_shared_billing(self, inputs.in_window(through, "through"), lease, progress)

    def preview_billing(self, *, through: date) -> BillingPreview:
        """Return the invoices ``run_billing(through=...)`` would issue; record nothing."""
        return preview_billing(self, inputs.in_window(through, "through"))

    def check_batch(self, commands: list[Callable[[], object]]) -> int:
        """Decide commands in order, as ``run_batch`` does, and record nothing.

        Raise the first refusal; else return the events the batch would record
        (commands whose ``command_id`` is already recorded add none).
        """
        unit, _ = self._decided(commands, None)  # no aggregate cache: what it decided is dropped
        return sum(mark.events for mark in unit.marks)

    def quote_licenses(
        self, customer_number: str, kind: str, quantity: int, *, on: date
    ) -> OrderConfirmation | None:
        """Return the order confirmation buying licenses on ``on`` would create; record nothing.

        Decided by ``buy_licenses`` itself (R3, R4, R9, R14), so the quote is what the
        purchase bills; None when the purchase only cancels a pending removal (R4).
        A purchase the ledger would refuse raises the same error here.
        """
        quoted: list[OrderConfirmation | None] = []
        self.check_batch(
            [lambda: quoted.append(self.buy_licenses(customer_number, kind, quantity, on=on))]
        )
        return quoted[0]

    @staticmethod
    def cutover_weekend(cohort: date) -> tuple[date, date]:
        """Return the Visma.net cut-over Saturday and Sunday for a cohort date (R24)."""
        return cutover_weekend(cohort)

    # -------------------------------------------------------------- auditing

    @cached_property
    def trail(self) -> AuditTrail:
        """Return the hash chain kept over this ledger's log (docs/auditing.md)."""
        return AuditTrail(self.recorder, self.mapper)

    def extend_chain(self) -> int:
        """Chain every event not chained yet (a store from before the chain); return how many."""
        return self.trail.extend()

    def seal(self) -> Seal:
        """Return the chain's head (position, digest, events, time), to keep outside the store."""
        return self.trail.seal()

    def verify(
        self,
        seal: Seal | None = None,
        *,
        workers: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        today: date | None = None,
    ) -> VerifyReport:
        """Check the hash chain (and that the log extends ``seal``); re-derive every document.

        Large stores are re-derived by ``workers`` processes (default: one per
        core, up to 4, from 80,000 events on a file or server store);
        ``progress(customers done, customers)`` follows the re-derivation.
        With ``today``, in a store that delivers (``deliver`` has run once),
        every document due by then must have its deliveries recorded (R35).
        """
        report = verify(self.trail, self, seal, workers, progress)
        if today is None or follower_id() not in self.repository:
            return report
        missing = undelivered(self, check_date(today, "today"))
        return attrs.evolve(report, ok=report.ok and not missing, undelivered=missing)

    def export(
        self,
        stream: IO[str],
        *,
        customer_number: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> int:
        """Write the log as JSON Lines to ``stream`` (filtered); return the lines written.

        Raise SubscriptionNotFoundError for a ``customer_number`` that has no subscription.
        """
        self._check_customer(customer_number)
        return export_jsonl(
            self, self.trail, stream, customer_number=customer_number, since=since, until=until
        )

    def export_records(
        self,
        *,
        customer_number: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[dict[str, object]]:
        """Return the export's records (as ``export`` writes them), filtered, in log order."""
        self._check_customer(customer_number)
        return records(self, self.trail, customer_number=customer_number, since=since, until=until)

    def _check_customer(self, customer_number: str | None) -> None:
        if customer_number is not None and customer_number not in self.customers():
            raise SubscriptionNotFoundError(f"no subscription for customer {customer_number!r}")
