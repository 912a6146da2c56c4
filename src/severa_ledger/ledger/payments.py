"""Bank statements pay invoices: ``import_payments`` (R34, docs/payments.md).

Each incoming, booked credit of a camt.054 statement is recorded with
``record_payment`` under the command id ``bank:<account>/<bank reference>``, so a
statement imported twice, or two statements that overlap, record each bank entry
once. Which invoice a transaction pays is decided by
:func:`~severa_ledger.domain.statements.match_invoice` from the references of the
issued invoices; what matches none, or several, is listed and not recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from severa_ledger.documents import renderer
from severa_ledger.domain.documents import INVOICE, InvoiceView
from severa_ledger.domain.errors import LedgerError
from severa_ledger.domain.idempotency import CommandRecord, command_record_id
from severa_ledger.domain.statements import (
    AMBIGUOUS,
    DEBIT,
    NO_BANK_REFERENCE,
    NO_DATE,
    NO_MATCH,
    NOT_BOOKED,
    REFUSED,
    REVERSAL,
    WRONG_CURRENCY,
    BankTransaction,
    ImportedPayment,
    PaymentImport,
    SkippedTransaction,
    match_invoice,
    references,
)
from severa_ledger.ledger.base import LedgerBase
from severa_ledger.store.unit import Unit

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import date
    from decimal import Decimal


#: The command id a bank transaction is recorded under: once per account and bank reference.
COMMAND_ID_PREFIX = "bank:"

Outcome = tuple[str, ImportedPayment | SkippedTransaction]


def _read(data: bytes, source: str) -> tuple[BankTransaction, ...]:
    transactions: tuple[BankTransaction, ...] = renderer("camt054").read_camt054(data, source)
    return transactions


def payment_references(invoices: list[InvoiceView]) -> dict[str, frozenset[str]]:
    """Return normalised reference -> invoice numbers for every invoice (not credit notes).

    An invoice is named by its number and by its payment reference.
    """
    pairs = [
        (reference, view.number)
        for view in invoices
        if view.type_code == INVOICE
        for reference in {view.number, view.payment_reference}
        if reference
    ]
    return references(pairs)


def _not_payable(transaction: BankTransaction) -> str | None:
    """Return why a transaction is no payment to record, or None."""
    checks = (
        (not transaction.credit, DEBIT),
        (transaction.reversal, REVERSAL),
        (not transaction.booked, NOT_BOOKED),
        (not transaction.key, NO_BANK_REFERENCE),
        (transaction.booking_date is None, NO_DATE),
    )
    return next((reason for failed, reason in checks if failed), None)


def _report(source: str, outcomes: list[Outcome], *, dry_run: bool) -> PaymentImport:
    def paid(kind: str) -> tuple[ImportedPayment, ...]:
        return tuple(f for k, f in outcomes if k == kind and isinstance(f, ImportedPayment))

    def left(kind: str) -> tuple[SkippedTransaction, ...]:
        return tuple(f for k, f in outcomes if k == kind and isinstance(f, SkippedTransaction))

    return PaymentImport(
        source,
        dry_run,
        paid("matched"),
        paid("already_recorded"),
        left("unmatched"),
        left("skipped"),
    )


class PaymentImports(LedgerBase):
    """The ledger's import of bank statements (a part of :class:`~severa_ledger.Ledger`)."""

    if TYPE_CHECKING:

        def record_payment(
            self,
            invoice_number: str,
            amount: Decimal | str | int,
            *,
            on: date,
            command_id: str | None = None,
        ) -> None:
            """Record a payment (Ledger.record_payment)."""

    def import_payments(
        self, data: bytes, *, source: str = "the statement", dry_run: bool = False
    ) -> PaymentImport:
        """Record each incoming credit of camt.054 ``data`` as a payment of its invoice (R34).

        A transaction is recorded once per bank entry reference (importing a file
        again records nothing new); one whose reference matches no invoice or
        several, in another currency than its invoice, a debit or not booked is
        listed and not recorded. ``source`` names the file in errors. With
        ``dry_run`` nothing is recorded and the report says what would be.
        """
        transactions = _read(data, source)
        invoices = self.invoices()
        known = payment_references(invoices)
        currencies = {view.number: view.currency for view in invoices}
        outcomes: list[Outcome] = []

        def run(transaction: BankTransaction) -> Callable[[], None]:
            return lambda: outcomes.append(self._import(transaction, known, currencies))

        if dry_run:  # decided in one unit that is never saved: repeats in the file see each other
            self._decided([run(t) for t in transactions], None)
        else:
            for transaction in transactions:
                run(transaction)()
        return _report(source, outcomes, dry_run=dry_run)

    def _import(
        self,
        transaction: BankTransaction,
        known: Mapping[str, frozenset[str]],
        currencies: Mapping[str, str],
    ) -> Outcome:
        reason = _not_payable(transaction)
        if reason is not None or transaction.booking_date is None:
            return "skipped", SkippedTransaction(transaction, reason or NO_DATE)
        numbers = match_invoice(transaction, known)
        if len(numbers) != 1:
            why = AMBIGUOUS if numbers else NO_MATCH
            return "unmatched", SkippedTransaction(transaction, why, numbers)
        if currencies[numbers[0]] != transaction.currency:
            why = f"{WRONG_CURRENCY} ({currencies[numbers[0]]})"
            return "skipped", SkippedTransaction(transaction, why, numbers)
        return self._pay(transaction, numbers[0], transaction.booking_date)

    def _pay(self, transaction: BankTransaction, number: str, on: date) -> Outcome:
        """Record the payment once per bank reference (in a dry run's unit: decide it)."""
        command_id = COMMAND_ID_PREFIX + transaction.key
        unit = self._batch or Unit(self)
        recorded = unit.get(command_record_id(command_id), CommandRecord) is not None
        try:
            self.record_payment(number, transaction.amount, on=on, command_id=command_id)
        except LedgerError as error:
            return "skipped", SkippedTransaction(transaction, f"{REFUSED}: {error}", (number,))
        return ("already_recorded" if recorded else "matched"), ImportedPayment(transaction, number)
