"""Bank statements (ISO 20022 camt.054): what an entry says, and which invoice it pays (R34).

A :class:`BankTransaction` is one payment the bank reports: a whole entry (``Ntry``),
or one transaction of an entry that holds several (a batch of KID payments). Its
``key`` names it for good (the account, the bank's entry reference and, in a batch,
the transaction): the ledger records it once per key. :func:`match_invoice` is the
one place that decides which invoice a transaction pays.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

import attrs

from severa_ledger.domain.references import normalise_reference

#: Why a transaction was not recorded (``SkippedTransaction.reason``).
NO_MATCH = "no invoice matches its reference"
AMBIGUOUS = "its reference matches more than one invoice"
DEBIT = "a debit, not an incoming payment"
NOT_BOOKED = "not booked yet"
REVERSAL = "a reversal"
NO_BANK_REFERENCE = "no bank reference (AcctSvcrRef) to record it once by"
NO_DATE = "no booking date"
WRONG_CURRENCY = "its currency is not the invoice's"
REFUSED = "refused"

#: A word of remittance text that may be an invoice number or a reference.
_WORD = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")


@attrs.frozen
class BankTransaction:
    """One payment a camt.054 statement reports (its entry's, or one of a batch)."""

    key: str
    account: str
    bank_reference: str | None
    amount: Decimal
    currency: str
    credit: bool
    booked: bool
    reversal: bool
    booking_date: date | None
    structured_references: tuple[str, ...]
    text: str | None


@attrs.frozen
class ImportedPayment:
    """A transaction recorded (or already recorded) as a payment of ``invoice_number``."""

    transaction: BankTransaction
    invoice_number: str


@attrs.frozen
class SkippedTransaction:
    """A transaction not recorded, with the reason and the invoices it matched, if any."""

    transaction: BankTransaction
    reason: str
    invoice_numbers: tuple[str, ...] = ()


@attrs.frozen
class PaymentImport:
    """What importing a statement did (or, with ``dry_run``, would do) (R34)."""

    source: str
    dry_run: bool
    matched: tuple[ImportedPayment, ...]
    already_recorded: tuple[ImportedPayment, ...]
    unmatched: tuple[SkippedTransaction, ...]
    skipped: tuple[SkippedTransaction, ...]


def references(pairs: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Return normalised reference -> invoice numbers, from (reference, invoice number) pairs."""
    found: dict[str, set[str]] = {}
    for reference, number in pairs:
        found.setdefault(normalise_reference(reference), set()).add(number)
    return {reference: frozenset(numbers) for reference, numbers in found.items()}


def match_invoice(
    transaction: BankTransaction, known: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    """Return the invoices ``transaction`` names: by its structured references, else its text.

    ``known`` maps normalised references (invoice numbers, KID, RF, ...) to invoice
    numbers. One number is a match; none or several are not guessed at (R34). The
    free text is read only when the structured references match nothing.
    """
    found = _named(transaction.structured_references, known)
    return found or _named(_WORD.findall(transaction.text or ""), known)


def _named(words: Iterable[str], known: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    return tuple(sorted({n for word in words for n in known.get(normalise_reference(word), ())}))
