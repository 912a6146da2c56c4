"""``verify``'s check of the log's own shape: what a recomputed chain no longer shows.

Someone who deletes events and recomputes the digests (or deletes the last
events with their digests) leaves a chain that agrees with the log. What they
cannot hide without more work is the log's shape: each aggregate's versions
must run 1..n in log order, the notification ids of a store that never skips
one (SQLite, memory) must run without a gap, and no read model can have
applied a position beyond the log's last event. Each break is a
:class:`Damage`; a damaged log is restored from a backup, never rebuilt from or
re-chained (docs/auditing.md, "When the log itself is damaged").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from severa_ledger.projections.log import Log

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

VERSION_GAP = "version-gap"
MISSING_EVENTS = "missing-events"
TRACKING_AHEAD = "tracking-ahead"
#: Breaks of each kind named; the rest are counted in one more.
SHOWN_PER_KIND = 50


@attrs.frozen
class Damage:
    """A break in the log's shape: its kind, the position, the aggregate (or read model)."""

    kind: str
    position: int
    aggregate: str
    message: str


def log_damage(recorder: ApplicationRecorder, tracking: Mapping[str, int]) -> tuple[Damage, ...]:
    """Return the version gaps and missing events by position, then the read models ahead.

    ``tracking`` holds each read model's applied position, read before the
    log is walked (the log only grows meanwhile).
    """
    walk = _Walk(gap_free=isinstance(recorder, SQLiteApplicationRecorder | POPOApplicationRecorder))
    for page in Log(recorder).pages():
        for position, originator, version, _, _ in page:
            walk.step(position, originator, version)
    ahead = [
        Damage(
            TRACKING_AHEAD,
            position,
            name,
            f"the read model {name} says it applied position {position}, beyond the log's "
            f"last event ({walk.head}): events it applied are missing from the log",
        )
        for name, position in sorted(tracking.items())
        if position > walk.head
    ]
    found = [*_shown(walk.gaps), *_shown(walk.missing)]
    return (*sorted(found, key=lambda d: d.position), *ahead)


class _Walk:
    """The log in order: each aggregate's last version and position, and the ids skipped."""

    def __init__(self, *, gap_free: bool) -> None:
        self.gap_free = gap_free
        self.last: dict[str, tuple[int, int]] = {}
        self.skipped: list[tuple[int, int]] = []
        self.gaps: list[Damage] = []
        self.missing: list[Damage] = []
        self.reported: set[int] = set()
        self.head = 0

    def step(self, position: int, originator: str, version: int) -> None:
        if position != self.head + 1:
            self._skipped(self.head + 1, position - 1)
        self.head = position
        before, at = self.last.get(originator, (0, 0))
        self.last[originator] = (version, position)
        if version != before + 1:
            self._gap(position, originator, version, before, at)

    def _skipped(self, first: int, last: int) -> None:
        self.skipped.append((first, last))
        if self.gap_free:
            self._missing(first, last, "this store never skips a notification id")

    def _gap(self, position: int, originator: str, version: int, before: int, at: int) -> None:
        after = f"version {before} (at position {at})" if before else "nothing"
        self.gaps.append(
            Damage(
                VERSION_GAP,
                position,
                originator,
                f"version {version} at position {position} follows {after}: the aggregate's "
                "versions are not 1..n, events of it were removed",
            )
        )
        if not self.gap_free:  # where ids may skip, a skip the versions explain is missing events
            for first, last in self.skipped:
                if at < first and last < position:
                    self._missing(first, last, f"aggregate {originator} lacks versions there")

    def _missing(self, first: int, last: int, why: str) -> None:
        if first in self.reported:
            return
        self.reported.add(first)
        span = f"position {first}" if first == last else f"positions {first} to {last}"
        self.missing.append(
            Damage(MISSING_EVENTS, first, "", f"no event at {span}: {why}, events were removed")
        )


def _shown(found: list[Damage]) -> list[Damage]:
    """Return the first ``SHOWN_PER_KIND`` breaks, and one counting the rest."""
    if len(found) <= SHOWN_PER_KIND:
        return found
    rest = found[SHOWN_PER_KIND]
    more = f"{len(found) - SHOWN_PER_KIND} more of this kind, the first at position {rest.position}"
    return [*found[:SHOWN_PER_KIND], attrs.evolve(rest, aggregate="...", message=more)]
