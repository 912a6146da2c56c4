"""Checking the hash chain: the clean walk, seals, look-ahead over two ordered streams."""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterator
from datetime import datetime
from typing import Generic, TypeVar

import attrs

from severa_ledger.domain.errors import InvalidSealError
from severa_ledger.store.chain import CHAIN_NAME, GENESIS, stored_hash

T = TypeVar("T")


def clean_walk(
    events: Iterator[tuple[int, str, int, str, bytes]],
    rows: Iterator[tuple[int, str, str]],
    seal: Seal | None,
) -> tuple[int, int, bool | None] | None:
    """Return (events matched, head, sealed) when every event matches its row, else None.

    ``events`` are stored events ``(position, id text, version, topic, state)``,
    ``rows`` the stored digests ``(position, event hash, digest)``, both in
    order. Only a log that matches its chain (and ``seal``) throughout is
    reported here; at the first disagreement the walk gives up (None), for the
    caller to find and name the problem.
    """
    previous = bytes.fromhex(GENESIS)
    matched = head = 0
    sealed = None if seal is None else (seal.position, seal.digest) == (0, GENESIS)
    sha256 = hashlib.sha256
    for position, oid, version, topic, state in events:
        row = next(rows, None)
        if row is None:
            return None
        hashed = stored_hash(oid, version, topic, state)
        if position != row[0] or hashed.hex() != row[1]:
            return None
        previous = sha256(previous + hashed).digest()
        if previous.hex() != row[2]:
            return None
        matched, head = matched + 1, position
        if seal is not None and not sealed and position >= seal.position:
            if (position, row[2], matched) != (seal.position, seal.digest, seal.events):
                return None
            sealed = True
    if next(rows, None) is not None or (seal is not None and not sealed):
        return None
    return matched, head, sealed


@attrs.frozen
class Seal:
    """The chain's head, to keep outside the database: ``verify --seal`` checks the log extends it.

    ``position`` is the notification id of the last chained event, ``events``
    the number of events chained up to it, ``recorded_at`` that event's
    recorded time.
    """

    position: int
    digest: str
    events: int
    recorded_at: datetime | None = None
    chain: str = CHAIN_NAME

    def to_json(self) -> str:
        """Return the seal as one line of JSON."""
        recorded = self.recorded_at.isoformat() if self.recorded_at else None
        return json.dumps(
            {
                "chain": self.chain,
                "position": self.position,
                "events": self.events,
                "digest": self.digest,
                "recorded_at": recorded,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> Seal:
        """Return the seal written by :meth:`to_json`; raise InvalidSealError if it is not one."""
        try:
            data = json.loads(text)
            recorded = data.get("recorded_at")
            seal = cls(
                position=int(data["position"]),
                digest=str(data["digest"]),
                events=int(data["events"]),
                recorded_at=datetime.fromisoformat(recorded) if recorded else None,
                chain=str(data.get("chain", CHAIN_NAME)),
            )
            bytes.fromhex(seal.digest)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise InvalidSealError(f"not a severa-ledger seal: {error}") from None
        if seal.chain != CHAIN_NAME:
            raise InvalidSealError(f"seal of chain {seal.chain!r}; this ledger keeps {CHAIN_NAME}")
        return seal


class Lookahead(Generic[T]):
    """An iterator that can peek at its next few items."""

    def __init__(self, items: Iterator[T]) -> None:
        self._items = items
        self._buffer: deque[T] = deque()

    def peek(self, ahead: int = 0) -> T | None:
        """Return the item ``ahead`` places on (0: the next), or None past the end."""
        while len(self._buffer) <= ahead:
            try:
                self._buffer.append(next(self._items))
            except StopIteration:
                return None
        return self._buffer[ahead]

    def advance(self) -> None:
        """Drop the next item."""
        if self.peek() is not None:
            self._buffer.popleft()
