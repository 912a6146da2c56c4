"""Who is asking: the principal behind an API key, a session or a one-time login link."""

from __future__ import annotations

import attrs


@attrs.frozen
class Principal:
    """A key's holder: the operator (``customer_number`` None) or one customer.

    The operator is the seller's billing team and sees every subscription; a
    customer sees only its own.
    """

    key_id: str
    customer_number: str | None

    @property
    def is_operator(self) -> bool:
        """Return whether this is the operator (the seller's billing team)."""
        return self.customer_number is None

    def may_see(self, customer_number: str) -> bool:
        """Return whether this principal may read or change ``customer_number``'s data."""
        return self.customer_number is None or self.customer_number == customer_number
