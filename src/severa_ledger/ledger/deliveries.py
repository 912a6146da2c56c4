"""Re-sending a document: a new delivery on each of its channels, recorded once (R35)."""

from __future__ import annotations

from datetime import date

from severa_ledger.delivery.routes import document_deliveries, order_deliveries
from severa_ledger.domain.delivery import Delivery, delivery_id
from severa_ledger.domain.delivery_errors import NoDeliveryChannelError
from severa_ledger.domain.errors import OrderNotFoundError
from severa_ledger.domain.rules import check_date
from severa_ledger.ledger.base import LedgerBase
from severa_ledger.ledger.catalogue import COMMANDS, catalogued
from severa_ledger.store.unit import Unit


class DeliveryCommands(LedgerBase):
    """The operator's re-send of any document (docs/delivery.md)."""

    @catalogued("resend_document")
    def resend_document(
        self,
        document: str,
        *,
        on: date,
        channel: str | None = None,
        command_id: str | None = None,
    ) -> list[str]:
        """Record a new delivery of ``document`` on each of its channels (or one); return ids.

        ``document`` is an invoice or credit note number (``VSOY-000007``) or an
        order confirmation as ``CUSTOMER-SEQUENCE`` (``C1-3``). Each new delivery
        is the next in sequence for its channel and recipient, with a new message
        id, due on ``on``: a deliberate re-send always goes out (R35).
        """
        payload = COMMANDS["resend_document"].payload(locals())

        def decide(unit: Unit) -> list[str]:
            due = check_date(on)
            found = [
                d for d in self._first_deliveries(unit, document) if channel in {None, d.channel}
            ]
            if not found:
                raise NoDeliveryChannelError(
                    f"{document} has no delivery channel{f' {channel}' if channel else ''}: its "
                    "buyer has no invoice e-mail or Peppol endpoint (R35)"
                )
            return [str(self._next(unit, first, due).id) for first in found]

        return self._execute("resend_document", payload, command_id, decide)

    def _first_deliveries(self, unit: Unit, document: str) -> list[Delivery]:
        series, _, sequence = document.rpartition("-")
        if self.sellers.by_series(series) is not None:
            account = unit.account(self._customer_of(unit, document))
            return document_deliveries(account.invoices[document])
        if not sequence.isdigit():
            raise OrderNotFoundError(f"no invoice or order confirmation named {document!r}")
        subscription = unit.subscription(series)
        order = next((o for o in subscription.orders if str(o.sequence) == sequence), None)
        if order is None:
            raise OrderNotFoundError(f"no invoice or order confirmation named {document!r}")
        return order_deliveries(order, subscription.company_on(order.date))

    @staticmethod
    def _next(unit: Unit, first: Delivery, due: date) -> Delivery:
        sequence = 1
        key = (first.kind, first.document, first.channel, first.recipient)
        while unit.get(delivery_id(*key, sequence), Delivery) is not None:
            sequence += 1
        delivery = Delivery.due(
            first.kind,
            first.document,
            first.customer_number,
            first.channel,
            recipient=first.recipient,
            due_date=max(due, first.due_date),  # never before the document is due (R35)
            sequence=sequence,
            reason="resend" if sequence > 1 else "due",
        )
        unit.add(delivery)
        return delivery
