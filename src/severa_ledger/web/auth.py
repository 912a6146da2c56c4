"""Who is asking: the principal behind an API key, a session or a one-time login link."""

from __future__ import annotations

from datetime import date

import attrs

from severa_ledger.domain.errors import TermsNotAcceptedError
from severa_ledger.ledger.ledger import Ledger


@attrs.frozen
class Principal:
    """A key's holder: the operator (``customer_number`` None) or one customer.

    The operator is the seller's billing team and sees every subscription; a
    customer sees only its own. ``by_link``: signed in by a one-time login link
    that needs no key; ``key_id`` is then the link's id.
    """

    key_id: str
    customer_number: str | None
    by_link: bool = False

    @property
    def is_operator(self) -> bool:
        """Return whether this is the operator (the seller's billing team)."""
        return self.customer_number is None

    def may_see(self, customer_number: str) -> bool:
        """Return whether this principal may read or change ``customer_number``'s data."""
        return self.customer_number is None or self.customer_number == customer_number


def check_terms_accepted(ledger: Ledger, principal: Principal, customer: str, day: date) -> None:
    """Refuse a customer's change before the new seller's terms are accepted (R25).

    The one gate of the API and the pages. The operator (the seller's billing
    team) is not held by it: it may change a subscription on the customer's behalf.
    """
    if not principal.is_operator and ledger.terms_acceptance_required(customer, as_of=day):
        raise TermsNotAcceptedError(
            f"subscription {customer}: the new seller's terms of service must be accepted "
            f"before anything else can be changed (R25)"
        )
