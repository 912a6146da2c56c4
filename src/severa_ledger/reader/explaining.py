"""Explanations of lines stored before lines carried one (issue 19): derived, never stored.

Order and invoice lines recorded since issue 19 carry their explanation in
the stored event. Older lines have none; the queries derive it from the
subscription's recorded facts (its schedule, price versions and proration
policy) with :func:`~severa_ledger.domain.billing.explain_stored_line`, and
a credit note's line from the line it reverses. History is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import attrs

from severa_ledger.domain.billing import explain_stored_line
from severa_ledger.domain.documents import CREDIT_NOTE, InvoiceLine, InvoiceView, OrderLine
from severa_ledger.domain.explanation import Explanation, credit
from severa_ledger.domain.subscription import Subscription

Line = TypeVar("Line", OrderLine, InvoiceLine)
Document = TypeVar("Document")
#: The subscription of a customer number, as the query reads it.
Lookup = Callable[[str], Subscription | None]


def explained(lines: Sequence[Line], sub: Subscription, credited: str | None = None) -> list[Line]:
    """Return ``lines`` with an explanation on each that lacks one (as far as one derives)."""
    out = []
    for n, line in enumerate(lines, start=1):
        if line.explanation is None:
            line = attrs.evolve(line, explanation=_derived(line, sub, credited, n))  # noqa: PLW2901
        out.append(line)
    return out


def _derived(line: Line, sub: Subscription, credited: str | None, n: int) -> Explanation | None:
    found = explain_stored_line(
        line,
        schedule=sub.schedule,
        versions=sub.price_versions,
        currency=sub.currency,
        proration=sub.proration,
    )
    return found if credited is None else credit(found, credited, n)


def lacks_explanations(document: object) -> bool:
    """Return whether a line of ``document`` (an order or invoice) has no explanation."""
    return any(line.explanation is None for line in getattr(document, "lines", ()))


def explained_documents(documents: list[Document], subscription: Lookup) -> list[Document]:
    """Return orders or invoice views with every line explained; unchanged when all are."""
    if not any(lacks_explanations(d) for d in documents):
        return documents
    subs: dict[str, Subscription | None] = {}
    out = []
    for document in documents:
        customer = getattr(document, "customer_number", "")
        if lacks_explanations(document):
            if customer not in subs:
                subs[customer] = subscription(customer)
            sub = subs[customer]
            if sub is not None:
                is_credit = getattr(document, "type_code", None) == CREDIT_NOTE
                credited = getattr(document, "credited_invoice", None) if is_credit else None
                lines = explained(getattr(document, "lines", ()), sub, credited)
                document = attrs.evolve(document, lines=lines)  # type: ignore[misc]  # noqa: PLW2901
        out.append(document)
    return out


def explained_view(view: InvoiceView, subscription: Lookup) -> InvoiceView:
    """Return one invoice view with every line explained."""
    return explained_documents([view], subscription)[0]
