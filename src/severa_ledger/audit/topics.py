"""``verify``'s check of the stored topics: every event must name an event class of this program.

A stored event whose topic resolves to no class (rewritten in the store, or
written by another program) cannot be read: the queries, commands and export
that meet it refuse with
:class:`~severa_ledger.domain.errors.UnknownEventTypeError`, and ``verify``
lists each such event with its position. The distinct topics are read with
one query; only an unknown one is looked for event by event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from severa_ledger.domain.errors import UnknownEventTypeError
from severa_ledger.projections.log import Log
from severa_ledger.store.decoding import event_class

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder


@attrs.frozen
class UnknownEvent:
    """A stored event whose topic names no event class of this program."""

    position: int
    topic: str
    originator_id: str
    originator_version: int


def unknown_events(recorder: ApplicationRecorder) -> tuple[UnknownEvent, ...]:
    """Return every stored event whose topic resolves to no event class, in log order."""
    unknown = [topic for topic in stored_topics(recorder) if not _known(topic)]
    if not unknown:
        return ()
    found = [
        UnknownEvent(position, topic, originator, version)
        for page in Log(recorder).pages(topics=unknown)
        for position, originator, version, topic, _ in page
    ]
    return tuple(sorted(found, key=lambda e: e.position))


def stored_topics(recorder: ApplicationRecorder) -> list[str]:
    """Return the distinct topics of the stored events."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(f"SELECT DISTINCT topic FROM {recorder.events_table_name}")  # noqa: S608
            return [str(row[0]) for row in cursor.fetchall()]
    if isinstance(recorder, POPOApplicationRecorder):
        return sorted({stored[3] for page in Log(recorder).pages() for stored in page})
    from severa_ledger.store.postgres import stored_topics as postgres_topics  # noqa: PLC0415

    return postgres_topics(recorder)


def _known(topic: str) -> bool:
    try:
        event_class(topic, "?", 0)
    except UnknownEventTypeError:
        return False
    return True
