"""The hash chain over the stored log: canonical bytes and digests.

Every stored event, in notification order, gets a digest::

    event_hash(n) = SHA-256(canonical(originator_id, originator_version, topic, state))
    digest(n)     = SHA-256(digest(n - 1) || event_hash(n))       digest(0) = GENESIS

``canonical`` frames each part with its length (8 bytes, big-endian) so that
no two different events share bytes: the originator id as its hyphenated
lowercase text, the version as decimal ASCII, the topic as UTF-8, and the
state exactly as stored (after compression and encryption, if configured).
The chain is deterministic: any process computes the same digests, so the
writers that extend it never disagree.

Every save chains its events with these (store/recorders.py); the audit
layer checks the chain with the same functions (audit/trail.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Protocol
from uuid import UUID

import attrs

CHAIN_NAME = "severa-ledger/audit-chain/v1"


GENESIS = hashlib.sha256(CHAIN_NAME.encode()).hexdigest()


class StoredLike(Protocol):
    """What the chain reads of a stored event (eventsourcing's ``Notification``)."""

    @property
    def originator_id(self) -> UUID | str:
        """The aggregate's id."""

    @property
    def originator_version(self) -> int:
        """The event's position in its aggregate."""

    @property
    def topic(self) -> str:
        """The event class's topic."""

    @property
    def state(self) -> bytes:
        """The stored state bytes."""


def canonical(event: StoredLike) -> bytes:
    """Return the canonical bytes of a stored event (the module docstring's framing)."""
    state = event.state
    parts = (
        str(event.originator_id).encode(),
        str(event.originator_version).encode(),
        event.topic.encode(),
        state.encode() if isinstance(state, str) else bytes(state),  # TEXT written around us
    )
    return b"".join(len(part).to_bytes(8, "big") + part for part in parts)


def _framed(part: bytes) -> bytes:
    return len(part).to_bytes(8, "big") + part


def stored_hash(originator_id: str, version: int, topic: str, state: bytes | str) -> bytes:
    """Return the SHA-256 of a stored event's canonical bytes, from its fields (as bytes)."""
    data = state.encode() if isinstance(state, str) else bytes(state)
    return hashlib.sha256(
        b"".join(
            (
                _framed(originator_id.encode()),
                _framed(str(version).encode()),
                _framed(topic.encode()),
                _framed(data),
            )
        )
    ).digest()


def event_hash(event: StoredLike) -> str:
    """Return the SHA-256 of the event's canonical bytes, as hex."""
    return hashlib.sha256(canonical(event)).hexdigest()


def link(previous: str, hashed: str) -> str:
    """Return the digest following ``previous`` for an event hashed ``hashed``."""
    return hashlib.sha256(bytes.fromhex(previous) + bytes.fromhex(hashed)).hexdigest()


@attrs.frozen
class ChainRow:
    """One stored digest: the event's notification id, identity, hash and chain digest."""

    position: int
    originator_id: str
    originator_version: int
    event_hash: str
    digest: str


def chain_rows(events: Iterator[tuple[int, StoredLike]], previous: str) -> Iterator[ChainRow]:
    """Yield the chain rows of ``(position, event)`` pairs following digest ``previous``."""
    for position, event in events:
        hashed = event_hash(event)
        previous = link(previous, hashed)
        yield ChainRow(
            position, str(event.originator_id), event.originator_version, hashed, previous
        )
