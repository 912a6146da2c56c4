"""What checking the chain can find: the kinds of problem, and those at its ends.

:class:`~severa_ledger.audit.trail.AuditTrail` walks the log and its digests
side by side; the problems it reports are built here, with the ones found where
the walk ends: events past the chain's head, and a chain that disagrees with a
seal.
"""

from __future__ import annotations

import attrs
from eventsourcing.persistence import Notification

from severa_ledger.audit.chain import Lookahead, Seal
from severa_ledger.store.chain import ChainRow

ALTERED = "altered"
DELETED = "deleted"
INSERTED = "inserted"
SWAPPED = "swapped"
MOVED = "moved"
DIGEST = "digest"
UNCHAINED = "unchained"
SEAL = "seal"


@attrs.frozen
class Problem:
    """The first place where the stored log no longer matches its chain."""

    kind: str
    position: int
    message: str


def label(item: Notification | ChainRow) -> str:
    """Return how a message names an event or a chained row."""
    if isinstance(item, ChainRow):
        return f"{item.originator_id} version {item.originator_version}"
    return f"{item.topic}, {item.originator_id} version {item.originator_version}"


def unchained(notes: Lookahead[Notification], head: int) -> Problem:
    """Return the problem of the events after the chain's head (and count them)."""
    first = notes.peek()
    position = first.id if first is not None else 0
    count = 0
    while notes.peek() is not None:
        notes.advance()
        count += 1
    if head == 0:
        what = (
            f"no event is chained: the {count} stored events have no digests (a store "
            "written before the chain, or its digests were deleted)"
        )
    else:
        what = (
            f"{count} events from position {position} on have no digest (written around "
            "the ledger, or their digests were deleted)"
        )
    return Problem(
        UNCHAINED,
        position,
        f"{what}; the ledger saves nothing more until they "
        "are checked and chained explicitly (`severa-ledger seal --extend`, "
        "Ledger.extend_chain())",
    )


def past_seal(seal: Seal, row: ChainRow, events: int, *, sealed: bool) -> Problem | None:
    """Return a problem when the checked chain disagrees with the seal at its position."""
    if row.position < seal.position or sealed:
        return None
    if row.position > seal.position:
        return Problem(
            SEAL,
            seal.position,
            f"no event is chained at the sealed position "
            f"{seal.position}: the log up to the seal was changed and its digests "
            "recomputed",
        )
    if row.digest == seal.digest and events == seal.events:
        return None
    return Problem(
        SEAL,
        seal.position,
        f"the digest at the sealed position {seal.position} "
        f"is {row.digest[:16]}... after {events} events; the seal says "
        f"{seal.digest[:16]}... after {seal.events}: the log up to the seal was "
        "changed and its digests recomputed",
    )
