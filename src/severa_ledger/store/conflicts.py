"""A batch that conflicts with another writer: commit what it did not touch, retry the rest.

When a transaction of a batch fails because another writer stored events for
one of its aggregates first, the batch is not decided again whole. Instead
(:func:`settle`):

1. the aggregates the unsaved commands looked at whose stored version moved
   since the unit read them are *stale*;
2. a command that looked at a stale aggregate, or at one that an earlier
   command to be retried changed, is retried; every other unsaved command
   decided on current state and commits now (whole commands, in order);
3. only the retried commands are decided again, on fresh state.

So one busy customer's traffic delays only that customer's commands, never the
rest of the file's.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from severa_ledger.store.retry import MAX_ATTEMPTS

if TYPE_CHECKING:
    from severa_ledger.store.unit import Mark, Unit


def stored_version(unit: Unit, aggregate_id: UUID) -> int:
    """Return the aggregate's last stored version (0: nothing stored)."""
    found = unit.app.recorder.select_events(aggregate_id, desc=True, limit=1)
    return found[0].originator_version if found else 0


def stale(unit: Unit, positions: Sequence[int]) -> set[UUID]:
    """Return the aggregates the marked commands at ``positions`` read whose store moved on."""
    read = set[UUID]().union(*(unit.marks[p].reads for p in positions))
    return {a for a in read if stored_version(unit, a) != expected_version(unit, a)}


def expected_version(unit: Unit, aggregate_id: UUID) -> int:
    """Return the version the store holds unless another writer came: as read, plus ours."""
    return unit.base.get(aggregate_id, 0) + unit.saved.get(aggregate_id, 0)


def split(marks: Sequence[Mark], positions: Sequence[int], moved: Collection[UUID]) -> list[int]:
    """Return the positions (of ``positions``) to decide again.

    A command is decided again if it read a moved aggregate, or one that a command
    decided again before it changed.
    """
    dirty = set(moved)
    again = []
    for position in positions:
        mark = marks[position]
        if mark.reads & dirty:
            again.append(position)
            dirty.update(mark.ends)
    return again


def settle(unit: Unit) -> tuple[list[int], int]:
    """Commit the unsaved commands no other writer got in the way of; return the rest.

    Return the positions of the marked commands to decide again (module docstring)
    and the events the unit committed in all.

    Committing them can meet yet another writer's events: then what is stale is
    looked at again, at most ``MAX_ATTEMPTS`` times.
    """
    moved: set[UUID] = set()
    again: list[int] = []
    for _ in range(MAX_ATTEMPTS):
        done = set(unit.done)
        waiting = [p for p in range(len(unit.marks)) if p not in done]
        moved |= stale(unit, waiting)
        again = split(unit.marks, waiting, moved)
        retried = set(again)
        try:
            unit.save_marked([p for p in waiting if p not in retried])
        except IntegrityError:
            continue
        break
    else:
        done = set(unit.done)
        again = [p for p in range(len(unit.marks)) if p not in done]
    committed = sum(unit.saved.values())
    release(unit, moved)
    return again, committed


def release(unit: Unit, moved: Collection[UUID]) -> None:
    """End a unit a conflict cut short: hand the cache only what is saved and current."""
    for aggregate_id, aggregate in list(unit.loaded.items()):
        saved = unit.saved.get(aggregate_id, 0)
        if aggregate_id in moved or saved != len(aggregate.pending_events):
            del unit.loaded[aggregate_id]
        else:
            aggregate.pending_events.clear()
    unit.finish()
