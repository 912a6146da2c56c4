"""Looking documents up by their payment reference (R30, R34); mixed into the reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, TypeVar

from severa_ledger.domain.payment_errors import AmbiguousReferenceError
from severa_ledger.domain.references import normalise_reference

if TYPE_CHECKING:
    from severa_ledger.domain.documents import Invoice, InvoiceView

D = TypeVar("D", bound="Invoice")


def by_reference(documents: Iterable[D]) -> dict[str, list[D]]:
    """Return the documents with a reference, by normalised reference (R30).

    More than one under a key means the reference is ambiguous: another seller
    (its own series) may make the same digits, and old documents quote numbers.
    """
    found: dict[str, list[D]] = {}
    for document in documents:
        if document.payment_reference is not None:
            key = normalise_reference(document.payment_reference)
            found.setdefault(key, []).append(document)
    return found


class ReferenceQueries:
    """``invoice_by_reference``: the document a bank payment's reference names."""

    if TYPE_CHECKING:

        def invoices(
            self,
            customer_number: str | None = None,
            *,
            as_of: date | None = None,
            known_at: datetime | None = None,
        ) -> list[InvoiceView]:
            """Return invoices and credit notes (LedgerReader.invoices)."""

    def invoice_by_reference(
        self, reference: str, *, as_of: date | None = None, known_at: datetime | None = None
    ) -> InvoiceView | None:
        """Return the invoice or credit note whose payment reference is ``reference`` (R30, R34).

        References compare normalised (:func:`~severa_ledger.domain.references.normalise_reference`:
        spaces, dots, dashes and leading zeros do not count). None when no document has it;
        :class:`~severa_ledger.domain.payment_errors.AmbiguousReferenceError`
        when more than one does.
        Reads every document: for many look-ups, group ``invoices()`` with :func:`by_reference`.
        """
        wanted = normalise_reference(reference)
        found = by_reference(self.invoices(as_of=as_of, known_at=known_at)).get(wanted, [])
        if len(found) > 1:
            numbers = ", ".join(d.number for d in found)
            raise AmbiguousReferenceError(
                f"payment reference {reference!r} names {len(found)} documents: {numbers} (R34)"
            )
        return found[0] if found else None
