"""The runner: reads the log, folds it into the read models, writes rows and positions.

One catch-up page at a time:

1. read each projection's position; read (and decode) the next notifications
   after the lowest one, with the topics the projections read, ``page`` at most;
2. open the store's session (exclusive, one transaction); if another worker
   moved a position meanwhile, drop the page and start again;
3. fold the page into each projection, on top of the rows loaded from the
   store, skipping what a projection already applied;
4. write the changed rows and the new positions (the page's last
   notification id) and commit them together.

A failure anywhere before the commit leaves rows and positions as they were,
and the next catch-up folds the same page again: no event is applied twice or
skipped. Positions advance over the ids the log returned, so gaps in the ids
(PostgreSQL) are harmless. A stored value the fold or the store cannot hold
(recorded before the limits) raises
:class:`~severa_ledger.domain.errors.StoredValueOutOfRangeError`
(:mod:`severa_ledger.projections.overflow`), again with nothing written.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import compress
from typing import Any
from uuid import UUID

import attrs
from eventsourcing.persistence import ApplicationRecorder, Mapper, PersistenceError
from eventsourcing.utils import get_topic

from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.projections.log import Log, Stored
from severa_ledger.projections.overflow import OUT_OF_RANGE, unfoldable, unwritable
from severa_ledger.projections.rows import Key, Overlay, Projection, Table
from severa_ledger.projections.store import Reader, Session, Store, Tracking
from severa_ledger.store.decoding import EventDecoder

#: Notifications read, decoded and folded per transaction.
PAGE = 4000
#: Called at named points of a catch-up (tests inject failures here).
Failpoint = Callable[[str, int], None]


def _never() -> bool:
    return False


@attrs.frozen
class ProjectionStatus:
    """Where a projection stands: its position, the log's head, and what it has not read."""

    projection: str
    position: int
    head: int
    lag: int
    tables: tuple[str, ...]


class UnknownProjectionError(InvalidValueError):
    """Raised when a read model is named that does not exist."""


class Runner:
    """Keeps a store's read models up to date with one event log."""

    def __init__(
        self,
        recorder: ApplicationRecorder,
        mapper: Mapper[Any],
        store: Store,
        projections: Sequence[Projection],
        *,
        page: int = PAGE,
    ) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.log = Log(recorder)
        self.decoder = EventDecoder(mapper)
        self._objects: dict[type[Any], bool] = {}  # which types are value objects
        self._plain: set[str] = set()  # topics whose events hold no value object
        self._topics: dict[type[Any], str] = {}
        self.store = store
        self.projections = {p.name: p for p in projections}
        self.page = page
        self.failpoint: Failpoint | None = None
        self._lock = threading.RLock()
        self._ready = False

    def chosen(self, names: Iterable[str] | None) -> list[Projection]:
        """Return the projections named (all of them for None), or raise."""
        if names is None:
            return list(self.projections.values())
        unknown = [n for n in names if n not in self.projections]
        if unknown:
            known = ", ".join(self.projections)
            raise UnknownProjectionError(f"no projection named {unknown[0]!r}; known: {known}")
        return [self.projections[n] for n in names]

    def setup(self, *, wait: bool = True) -> None:
        """Create the tracking table; (re)build every projection whose tables changed.

        Writes only when something is missing or changed (checked first in a
        read transaction), so opening the read models of a store that is in
        use takes no write lock. Not ``wait``: raise at once if another
        connection holds the write lock (SQLite's "database is locked").
        """
        if self._ready or self._set_up():
            self._ready = True
            return
        with self._lock, self.store.session(wait=wait) as session:
            session.create_tracking()
            tracking = session.tracking()
            for projection in self.projections.values():
                found = tracking.get(projection.name)
                if found is None or found.fingerprint != projection.fingerprint:
                    session.recreate(projection)
                    session.track(projection.name, Tracking(0, projection.fingerprint))
        self._ready = True

    def _set_up(self) -> bool:
        """Return whether every projection is tracked with its current fingerprint (reads only)."""
        try:
            with self.store.reading(consistent=False) as reader:
                tracking = reader.tracking()
        except PersistenceError:  # no tracking table yet
            return False
        found = (tracking.get(p.name) for p in self.projections.values())
        wanted = (p.fingerprint for p in self.projections.values())
        return all(t is not None and t.fingerprint == f for t, f in zip(found, wanted, strict=True))

    def catch_up(
        self,
        names: Iterable[str] | None = None,
        *,
        should_stop: Callable[[], bool] = _never,
        progress: Callable[[int, int], None] | None = None,
        wait: bool = True,
    ) -> int:
        """Fold every notification not yet applied; return how many were read and folded.

        ``progress(position, head)`` is called after each page (a bar at the edge).
        Not ``wait``: raise at once (nothing written) when a page needs the write
        lock another connection holds; reading the log and the positions never waits.
        """
        self.setup(wait=wait)
        chosen = self.chosen(names)
        topics = sorted({topic for p in chosen for topic in p.topics})
        done = 0
        head = (self.recorder.max_notification_id() or 0) if progress is not None else 0
        with self._lock:
            while not should_stop():
                positions = self._positions(chosen)
                stored = self.log.page(min(positions.values()), limit=self.page, topics=topics)
                if not stored:
                    break
                with _paused_gc():
                    texts: list[tuple[object, str]] = []
                    events = [(s[0], self._decode(s, texts)) for s in stored]
                    if self._apply(chosen, positions, events, texts, wait=wait):
                        done += len(events)
                if progress is not None:
                    progress(min(stored[-1][0], head), head)
        if progress is not None:
            progress(head, head)
        return done

    def _decode(self, stored: Stored, objects: list[tuple[object, str]]) -> Any:  # noqa: ANN401
        """Return a stored event decoded; add its value objects and their JSON to ``objects``."""
        _, originator_id, version, topic, state = stored
        if topic in self._plain:
            return self.decoder.event(topic, UUID(originator_id), version, state)
        texts: dict[str, str] = {}
        event = self.decoder.event(topic, UUID(originator_id), version, state, texts)
        found = len(objects)
        for name, text in texts.items():
            if name not in event.__dict__:  # class_version, taken by the upcasters
                continue
            value = event.__dict__[name]
            kind = type(value)
            held = self._objects.get(kind)
            if held is None:
                held = self._objects[kind] = attrs.has(kind)
            if held:
                objects.append((value, text))
        if texts and len(objects) == found:
            self._plain.add(topic)  # its texts cost a scan per field and are never used
        return event

    def _handles(self, projection: Projection, event: object) -> bool:
        """Return whether ``projection`` has a handler for ``event``'s topic."""
        kind = type(event)
        topic = self._topics.get(kind)
        if topic is None:
            topic = self._topics[kind] = get_topic(kind)
        return topic in projection.handlers

    def _positions(self, chosen: list[Projection]) -> dict[str, int]:
        with self.store.reading(consistent=False) as reader:
            tracking = reader.tracking()
        return {p.name: tracking[p.name].position for p in chosen}

    def _fail(self, point: str, count: int) -> None:
        if self.failpoint is not None:
            self.failpoint(point, count)

    def _apply(
        self,
        chosen: list[Projection],
        positions: dict[str, int],
        events: list[tuple[int, Any]],
        texts: Iterable[tuple[object, str]] = (),
        *,
        wait: bool = True,
    ) -> bool:
        """Fold one page in one transaction; False if another worker got there first."""
        last = events[-1][0]
        with self.store.session(wait=wait) as session:
            tracking = session.tracking()
            if any(tracking[p.name].position != positions[p.name] for p in chosen):
                return False
            for value, text in texts:
                session.remember(value, text)
            for projection in chosen:
                position = positions[projection.name]
                self._fold(session, projection, [(n, e) for n, e in events if n > position])
                session.track(
                    projection.name, Tracking(max(position, last), projection.fingerprint)
                )
            self._fail("commit", len(events))
        return True

    def _fold(self, session: Session, projection: Projection, todo: list[tuple[int, Any]]) -> None:
        """Fold ``todo`` (position, event) into ``projection``; write the rows it changes."""
        handled = [self._handles(projection, event) for _, event in todo]
        overlay = Overlay(session.get)
        _prefetch(session, overlay, projection, compress((e for _, e in todo), handled))
        for count, ((position, event), handles) in enumerate(zip(todo, handled, strict=True), 1):
            try:
                if handles:  # apply() of any other event changes nothing
                    overlay.merge(projection.apply(overlay, event))
            except OUT_OF_RANGE as error:
                raise unfoldable(projection.name, position, event, error) from None
            self._fail("fold", count)
        changes = written = overlay.changes()
        try:
            written = [*changes, *projection.derive(overlay.before(), changes)]
            session.write(written)
        except OUT_OF_RANGE as error:
            raise unwritable(projection.name, todo, written, error) from None
        self._fail("write", len(todo))

    def rebuild(self, name: str, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop a projection's tables and fold it again from the first event."""
        (projection,) = self.chosen([name])
        self.setup()
        with self._lock:
            with self.store.session() as session:
                session.recreate(projection)
                session.track(projection.name, Tracking(0, projection.fingerprint))
            return self.catch_up([name], progress=progress)

    def status(self) -> list[ProjectionStatus]:
        """Return each projection's position, the log's head and its lag."""
        self.setup()
        head = self.recorder.max_notification_id() or 0
        with self.store.reading() as reader:
            tracking = reader.tracking()
            return [
                ProjectionStatus(
                    projection=p.name,
                    position=tracking[p.name].position,
                    head=head,
                    lag=reader.count_after(tracking[p.name].position, p.topics),
                    tables=tuple(t.name for t in p.tables),
                )
                for p in self.projections.values()
            ]

    def is_current(self, reader: Reader) -> bool:
        """Return whether every projection has applied all it reads, as ``reader`` sees it."""
        if not self._ready:
            return False
        tracking = reader.tracking()
        lowest = min(tracking[name].position for name in self.projections)
        return not reader.count_after(lowest, self.topics, limit=1)

    @property
    def topics(self) -> list[str]:
        """Return every topic some projection reads."""
        return sorted({topic for p in self.projections.values() for topic in p.topics})

    def follow(
        self,
        *,
        should_stop: Callable[[], bool],
        wait: Callable[[], None],
        on_page: Callable[[int], None] | None = None,
    ) -> int:
        """Catch up, wait for news (``wait`` returns on a notification or a timeout), repeat.

        Stops when ``should_stop`` returns true; returns the notifications folded.
        """
        total = 0
        while not should_stop():
            done = self.catch_up(should_stop=should_stop)
            total += done
            if done and on_page is not None:
                on_page(done)
            if not should_stop():
                wait()
        return total


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Run a page without the cyclic garbage collector, and restore it after.

    A page's events and rows all live until it is written, and hold no cycles
    to free: collecting meanwhile only walks them again and again (a sixth of
    a rebuild's time). Reference counting still frees everything as usual.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _prefetch(
    session: Session, overlay: Overlay, projection: Projection, events: Iterable[Any]
) -> None:
    """Load, in one query per table, the rows the page's events will read."""
    wanted: dict[str, tuple[Table[Any], list[Key]]] = {}
    for event in events:
        for table, key in projection.prefetch(event):
            wanted.setdefault(table.name, (table, []))[1].append(key)
    for table, keys in wanted.values():
        found = session.get_many(table, keys)
        overlay.preload(table, {key: found.get(key) for key in keys})
