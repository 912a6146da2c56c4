"""The billing run's work in a worker process (named to the pool by path, workers/worker.py).

A worker keeps the due orders it found while advancing, and drafts their
invoices when the parent has numbered them: only keys cross the pipes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from eventsourcing.persistence import StoredEvent

from severa_ledger.billing.drafts import Draft, draft_chunk
from severa_ledger.billing.plan import Advanced, Due, Key
from severa_ledger.billing.run import advance_chunk

if TYPE_CHECKING:
    from severa_ledger.domain.billing import InvoiceNumber
    from severa_ledger.reader.reader import LedgerReader

#: The due orders this worker found, until it drafts their invoices.
HELD: dict[Key, Due] = {}


def advance(ledger: LedgerReader, chunk: Sequence[str], through: date) -> tuple[Advanced, int]:
    """Advance ``chunk``; keep its due orders here and send back only their keys."""
    found, saved = advance_chunk(ledger, chunk, through)
    for item in found.due:
        HELD[item.key] = item
    found.held, found.due = [item.key for item in found.due], []
    return found, saved


def draft(
    ledger: LedgerReader, planned: Sequence[tuple[Key, InvoiceNumber, int]]
) -> list[StoredEvent]:
    """Return the stored invoice events of kept due orders, numbered as planned."""
    return draft_chunk(ledger, [Draft(HELD.pop(key), n, v) for key, n, v in planned])
