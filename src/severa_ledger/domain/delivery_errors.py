"""The refusals of delivery: e-mail, Peppol, webhooks and their status (R35).

Part of the one hierarchy.

Kept beside :mod:`severa_ledger.domain.errors` (which holds the root,
:class:`~severa_ledger.domain.errors.LedgerError`) so that module stays in its
room; the package's root exports these names with the others.
"""

from __future__ import annotations

from severa_ledger.domain.errors import InvalidValueError, LedgerError


class DeliveryNotReadyError(LedgerError):
    """Raised when an attempt starts of a delivery not yet due, sent, dead or in flight (R35)."""


class DeliveryConfigurationError(InvalidValueError):
    """Raised when a delivery setting (SMTP URL, Peppol outbox, sender) is unusable (R35)."""


class NoDeliveryChannelError(LedgerError):
    """Raised when a document is re-sent whose buyer has no delivery channel (R35)."""


class InvalidWebhookUrlError(InvalidValueError):
    """Raised when a webhook endpoint URL is not an absolute http(s) URL with a host (R35)."""


class UnknownWebhookEventError(InvalidValueError):
    """Raised when a webhook endpoint asks for a notice the ledger does not send (R35)."""


class WebhookEndpointNotFoundError(LedgerError):
    """Raised when no webhook endpoint (not removed) has the given id (R35)."""


class DeliveryNotFoundError(LedgerError):
    """Raised when no delivery has the given id (R35)."""


class WebhookDeliveryNotFoundError(DeliveryNotFoundError):
    """Raised when re-sending a webhook delivery whose id names no webhook delivery (R35)."""


#: Every refusal of this module, by name.
__all__ = [
    name
    for name, value in dict(globals()).items()
    if isinstance(value, type) and issubclass(value, LedgerError) and value.__module__ == __name__
]
