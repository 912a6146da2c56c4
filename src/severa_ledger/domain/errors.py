"""One hierarchy of refusals, rooted at :class:`LedgerError`.

Every refused command raises one of these before anything is recorded, so the
stored history is unchanged. Messages name the subscription, the rule and the
offending value.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Raised when the ledger refuses a command or a query."""


class InvalidValueError(LedgerError, ValueError):
    """Raised when a value passed in is malformed (a float amount, a bad date)."""


class InvalidMoneyError(InvalidValueError):
    """Raised when an amount is a float, not finite, or has an unknown currency (R11)."""


class CurrencyMismatchError(LedgerError):
    """Raised when amounts of two currencies are mixed (R11)."""


class InvalidPeriodError(InvalidValueError):
    """Raised when a billing period length is not 1, 3, 6 or 12 months (R1)."""


class InvalidCompanyDetailsError(InvalidValueError):
    """Raised when an organisation number, VAT id, IBAN or account is invalid (R26)."""


class InvalidPriceError(InvalidValueError):
    """Raised when a price is negative, a float, or not a decimal (R8, R11)."""


class InvalidSealError(InvalidValueError):
    """Raised when a seal given to ``verify`` is not a seal of this ledger's chain."""


class UnknownPolicyError(InvalidValueError):
    """Raised when a proration policy, regime, seller or channel name is unknown."""


class SubscriptionNotFoundError(LedgerError):
    """Raised when no subscription has the given customer number."""


class SubscriptionExistsError(LedgerError):
    """Raised when opening a subscription whose customer number is taken."""


class UnknownLicenseKindError(LedgerError):
    """Raised when a license kind is not in the subscription's price list."""


class NonPositiveQuantityError(InvalidValueError):
    """Raised when a quantity of licenses is zero or negative."""


class NotEnoughLicensesError(LedgerError):
    """Raised when removing more licenses than will be held (R4, R5)."""


class NoFreeLicenseError(LedgerError):
    """Raised when activating a user with no free license of the kind (R5)."""


class UserAlreadyActiveError(LedgerError):
    """Raised when activating a user who is already active (R7)."""


class UserNotActiveError(LedgerError):
    """Raised when deactivating an unknown or inactive user (R7)."""


class EffectiveDateError(LedgerError):
    """Raised when a command's effective date is out of order."""


class BeforeLastChangeError(EffectiveDateError):
    """Raised when a command is dated before the subscription's last recorded change."""


class BeforePeriodStartError(EffectiveDateError):
    """Raised when a command is dated before the current period's start."""


# Values at the door (domain/inputs.py): every edge refuses these alike.


class InvalidTextError(InvalidValueError):
    """Raised when a text is not text, blank, too long, padded, or holds a refused character."""


class InvalidDateError(InvalidValueError):
    """Raised when a date is not a ``datetime.date`` or not written ``YYYY-MM-DD``."""


class DateOutOfWindowError(InvalidDateError):
    """Raised when a date lies outside 2000-01-01 to 2099-12-31 (R36)."""


class DateNotAllowedError(EffectiveDateError):
    """Raised when a caller dates a command where its role may not: a customer's is today (R36)."""


class InvalidNumberError(InvalidValueError):
    """Raised when a whole number is not an integer in ASCII digits, or out of its bounds."""


class InvalidCompanyTextError(InvalidCompanyDetailsError, InvalidTextError):
    """Raised when a company-details field breaks the text rules (R26)."""


class OutputExistsError(InvalidValueError):
    """Raised when an output path names a file that exists and overwriting was not asked for."""


class OutputIsStoreError(InvalidValueError):
    """Raised when an output path names the store in use (or its journal): never overwritten."""


class InvalidAmountError(InvalidMoneyError):
    """Raised when an amount is not a canonical decimal string (digits, at most two decimals)."""


class BeforeAnchorError(EffectiveDateError):
    """Raised when a subscription is opened before its anchor date (R1)."""


class PriceChangeTooLateError(EffectiveDateError):
    """Raised when a price version would reprice a period already ordered (R12)."""


class InvalidCohortError(LedgerError):
    """Raised when a migration cohort is not a future period start (R21)."""


class MigrationError(LedgerError):
    """Raised when a migration is scheduled twice or terms are accepted without one."""


class ChannelClosedError(LedgerError):
    """Raised when a change comes from Visma.net after the cut-over began (R24)."""


class NoVatRuleError(LedgerError):
    """Raised when no VAT rule covers a seller and buyer country (R27)."""


class IdempotencyConflictError(LedgerError):
    """Raised when a command_id is reused with a different command or payload."""


class ConcurrencyError(LedgerError):
    """Raised when a command still conflicts with other writers after its retries."""


class CommandTooLargeError(LedgerError):
    """Raised when one command records more events than one transaction may hold."""


class BatchTooLargeError(LedgerError):
    """Raised when a batch needs several transactions but not every command has a command_id."""


class WorkerError(LedgerError):
    """Raised when a billing worker process stops without answering (see its standard error)."""


class InvoiceNotFoundError(LedgerError):
    """Raised when no invoice has the given number."""


class InvoiceNotCreditableError(LedgerError):
    """Raised when crediting a credit note, or an invoice already credited (R17)."""


class CreditNoteDateError(InvoiceNotCreditableError, EffectiveDateError):
    """Raised when a credit note is dated before its invoice or its series' latest date (R33)."""


class CreditExceedsInvoiceError(InvoiceNotCreditableError):
    """Raised when a credit would exceed what remains creditable of a line or an invoice (R33)."""


class InvalidCreditLineError(InvalidValueError):
    """Raised when credited lines are malformed: no line, not a line number, a float (R33)."""


class CreditLineRefusedError(InvoiceNotCreditableError):
    """Raised when a credit names a line the invoice lacks, one twice, or a bad amount (R33)."""


class InvalidPaymentError(LedgerError):
    """Raised when a payment amount is not positive or not in the invoice currency (R29)."""


class InvalidCommandError(LedgerError):
    """Raised when a command file line is not a known command with valid arguments."""


class RemovalBelowActiveUsersError(NotEnoughLicensesError):
    """Raised when a removal would leave fewer licenses than active users (R5)."""


# Limits on the numbers that enter (domain/limits.py, docs/billing.md "Limits").


class QuantityTooLargeError(InvalidValueError):
    """Raised when a quantity of licenses, or the licenses of a kind held after it, is too large."""


class HoldingLimitError(QuantityTooLargeError):
    """Raised when a purchase would hold more licenses of one kind than the limit (R3)."""


class AmountOutOfRangeError(InvalidValueError):
    """Raised when an amount that enters (a price, a payment) is above its limit."""


class SubMinorUnitAmountError(InvalidMoneyError):
    """Raised when an amount that enters is not in whole minor units of its currency (R11)."""


class PriceOutOfRangeError(InvalidPriceError, AmountOutOfRangeError):
    """Raised when a monthly price per license is above the limit (R8)."""


class SubMinorUnitPriceError(InvalidPriceError, SubMinorUnitAmountError):
    """Raised when a price has more decimals than its currency's minor unit (R8, R11)."""


class TooManyLicenseKindsError(InvalidPriceError):
    """Raised when a price list would make a subscription price more license kinds than allowed."""


class PaymentOutOfRangeError(InvalidPaymentError, AmountOutOfRangeError):
    """Raised when one payment is above the limit (R29)."""


class SubMinorUnitPaymentError(InvalidPaymentError, SubMinorUnitAmountError):
    """Raised when a payment has more decimals than its currency's minor unit (R11, R29)."""


class StoredValueOutOfRangeError(LedgerError):
    """Raised when a read model cannot hold a value of the stored history (run verify)."""


# Stored data the ledger will not build on (docs/auditing.md, "Verify").


class UnknownEventTypeError(LedgerError, ValueError):
    """Raised when a stored event's topic names no event class of this program (run verify)."""


class ChainBrokenError(LedgerError):
    """Raised when a save would extend a hash chain that does not end at the log's last event."""


# The store itself (docs: README.md "Store URLs"; the command line exits 4).


class StoreUnavailableError(LedgerError):
    """Raised when a store cannot be opened: no such file, not a database, no server or schema."""


class StoreUrlError(InvalidValueError):
    """Raised when a store URL is malformed: an unknown scheme, a bad host or port, a bad schema.

    A PostgreSQL schema must be a plain name (``[a-z_][a-z0-9_]{0,62}``);
    ``connect_timeout`` a whole number of seconds.
    """


# Documents (docs/einvoicing.md, docs/pdf.md).


class UnknownLanguageError(InvalidValueError):
    """Raised when a document is asked for in a language the ledger does not write (nb, en, fi)."""


class OrderNotFoundError(LedgerError):
    """Raised when a customer has no order confirmation with the given sequence number."""


class DocumentsUnavailableError(LedgerError):
    """Raised when a document is asked for but the ``documents`` extra is not installed."""


# The web edge (docs/web.md).


class ApiKeyNotFoundError(LedgerError):
    """Raised when revoking an API key id that no key has."""


class TermsNotAcceptedError(LedgerError):
    """Raised when a customer changes a migrated subscription before accepting the terms (R25)."""


# The EHF / Peppol BIS Billing 3.0 document (docs/einvoicing.md).


class DocumentIncompleteError(LedgerError):
    """Raised when an issued document lacks what its EHF XML must carry (a seller identifier)."""


class DocumentRenderError(LedgerError):
    """Raised when a PDF cannot be rendered exactly as designed, e.g. a font is missing."""


# Scheduled changes (R36).


class ScheduledChangeNotFoundError(LedgerError):
    """Raised when cancelling a scheduled change whose id is unknown or already cancelled (R36)."""


class ChangeAlreadyInEffectError(LedgerError):
    """Raised when cancelling a change that has taken effect, or that an order relies on (R36)."""


# A damaged store (docs/auditing.md, "When the log itself is damaged"; the command line exits 4).


class DamagedHistoryError(LedgerError):
    """Raised when an aggregate's stored versions are not 1..n in order: events were removed."""


class DamagedReadModelError(LedgerError):
    """Raised when a read-model row holds a value no row of its table can (edited in the store)."""


#: Every refusal, by name (each class above).
__all__ = [
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, LedgerError)
]
