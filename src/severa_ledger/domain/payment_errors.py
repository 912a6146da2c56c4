"""The refusals that keep invoices payable: accounts, references, cross-border VAT, statements.

Sellers' accounts and payment references (R23, R30), the buyer's VAT id and exchange
rates (R31, R32), bank statements (R34).

Part of the one hierarchy rooted at :class:`~severa_ledger.domain.errors.LedgerError`,
kept beside :mod:`severa_ledger.domain.errors` so that module stays in its room; the
package's root exports these names with the others.
"""

from __future__ import annotations

from severa_ledger.domain.errors import InvalidValueError, LedgerError


class BankStatementError(InvalidValueError):
    """Raised when a bank statement is not a camt.054 the ledger reads (names the file and why)."""


class SellersFileError(InvalidValueError):
    """Raised when a sellers file cannot be read or a key in it is missing or invalid."""


class ReferenceSpaceExhaustedError(LedgerError):
    """Raised when an invoice's sequence no longer fits its account's KID length (R30)."""


class AmbiguousReferenceError(LedgerError):
    """Raised when a payment reference identifies more than one issued document (R30, R34)."""


class MissingBuyerVatIdError(LedgerError):
    """Raised when an intra-EU reverse-charge subscription would lack the buyer's VAT id (R31)."""


class InvalidExchangeRateError(InvalidValueError):
    """Raised when an exchange rate is malformed, not positive, or of unknown currencies (R32)."""


#: Every refusal of this module, by name.
__all__ = [
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, LedgerError) and value.__module__ == __name__
]
