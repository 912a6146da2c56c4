"""``verify``'s check of the read models: their stored rows against a fresh fold of the log.

The read models (docs/projections.md) are derived data kept in tables beside
the log, and the queries read them: an edit there (an invoice's total, a
balance) shows in ``invoices`` while the log and its chain stay intact. This
check folds the stored events again, in memory, with the projections' own pure
folds (a page at a time, as the runner does), each projection up to the
position its tracking row says it has applied, and compares every stored row
with the folded one. A row that differs, is missing or should not be there is
a finding naming the table and the key; ``severa-ledger projections rebuild
NAME`` drops those tables and folds them again from the log.

The stored rows and the tracking positions are read in one transaction, so
writers and catch-ups running meanwhile do not make differences appear.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

import attrs
from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import get_topic

from severa_ledger.audit.diff import differences
from severa_ledger.domain.errors import DamagedReadModelError, LedgerError
from severa_ledger.projections.log import Log
from severa_ledger.projections.rows import Key, MemoryRows, Overlay, Projection, Table
from severa_ledger.reader.read_models import unwritable_now
from severa_ledger.store.decoding import EventDecoder

if TYPE_CHECKING:
    from severa_ledger.projections.store import Reader
    from severa_ledger.reader.reader import LedgerReader

#: Stored events decoded and folded at a time.
PAGE = 4000
#: Differing rows named per table; the rest are counted in one more finding.
SHOWN_PER_TABLE = 50
#: What a fold of stored values can raise (values beyond the limits: docs/billing.md).
UNFOLDABLE = (ArithmeticError, LedgerError)
#: What decoding an edited read-model row can raise (bad JSON, text in a number column).
UNREADABLE = (ValueError, TypeError, KeyError, ArithmeticError, LedgerError)


@attrs.frozen
class RowFinding:
    """A read-model row that the events do not give: its table, key and what differs."""

    projection: str
    table: str
    key: str
    message: str


@attrs.frozen
class ReadModelCheck:
    """What comparing the read models with the log found; ``ok``: every row matches.

    ``rows`` counts the rows compared (stored or folded), ``events`` the stored
    events folded, ``rebuild`` the projections whose tables differ.
    """

    rows: int
    events: int
    findings: tuple[RowFinding, ...]
    rebuild: tuple[str, ...] = attrs.field(init=False)

    @rebuild.default
    def _rebuild(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.projection for f in self.findings))

    @property
    def ok(self) -> bool:
        """Return whether every stored row is the fold's."""
        return not self.findings


def set_up(reader: LedgerReader) -> bool:
    """Make the read models' tables as any query does, never waiting for another writer.

    Return False when they are missing (or of another version) and cannot be made
    now: another process holds SQLite's write lock, or the copy is read-only. There
    is then nothing stored to compare, and ``verify`` checks the log without them
    instead of waiting for the writer (docs/auditing.md).
    """
    try:
        reader.read_models.runner.setup(wait=False)
    except (PersistenceError, sqlite3.Error) as error:
        if not unwritable_now(error):
            raise
        return False
    return True


def check_read_models(reader: LedgerReader) -> ReadModelCheck:
    """Compare every read-model row with the fold of the events up to its tracking position."""
    models = reader.read_models
    projections = list(models.runner.projections.values())
    if not set_up(reader):
        return ReadModelCheck(0, 0, ())
    with models.store.reading() as stored:
        tracking = stored.tracking()
        held = {t.name: _held(stored, p, t) for p in projections for t in p.tables}
    positions = {p.name: tracking[p.name].position for p in projections}
    fold = _Fold(reader, projections, positions)
    fold.run()
    findings: list[RowFinding] = list(fold.failures.values())
    rows = 0
    for projection in projections:
        if projection.name in fold.failures:
            continue
        for table in projection.tables:
            found = held[table.name]
            if isinstance(found, RowFinding):
                findings.append(found)
                continue
            folded = fold.states[projection.name].tables.get(table.name, {})
            rows += len(found.keys() | folded.keys())
            findings += _compare(projection.name, table, found, folded)
    return ReadModelCheck(rows, fold.events, tuple(findings))


def _held(stored: Reader, projection: Projection, table: Table[Any]) -> dict[Key, Any] | RowFinding:
    """Return the stored rows of ``table`` by key, or the finding that they cannot be read."""
    try:
        return {table.key_of(row): row for row in stored.select(table)}
    except UNREADABLE as error:  # a value no row of this table can hold: edited in the store
        raised: BaseException = error
        if isinstance(error, DamagedReadModelError) and error.__context__ is not None:
            raised = error.__context__  # what the value raised, as the finding names it
        message = f"the table cannot be read ({type(raised).__name__}: {raised})"
        return RowFinding(projection.name, table.name, "*", " ".join(message.split()))


class _Fold:
    """The projections' folds over the stored log, in memory, each up to its position."""

    def __init__(
        self, reader: LedgerReader, projections: list[Projection], positions: Mapping[str, int]
    ) -> None:
        self.reader = reader
        self.projections = projections
        self.positions = positions
        self.states = {p.name: MemoryRows() for p in projections}
        self.failures: dict[str, RowFinding] = {}
        self.events = 0
        self._topics: dict[type[Any], str] = {}

    def _topic(self, event: Any) -> str:  # noqa: ANN401 -- any event
        """Return the topic of ``event``'s class (what the projections' handlers are keyed by)."""
        kind = type(event)
        topic = self._topics.get(kind)
        if topic is None:
            topic = self._topics[kind] = get_topic(kind)
        return topic

    def run(self) -> None:
        """Fold every page of stored events the projections read, up to the last position."""
        stop = max(self.positions.values(), default=0)
        if not stop:
            return
        decoder = EventDecoder(self.reader.mapper)
        topics = sorted({topic for p in self.projections for topic in p.topics})
        for page in Log(self.reader.recorder).pages(stop=stop, topics=topics, limit=PAGE):
            events = []
            for position, originator, version, topic, state in page:
                try:
                    events.append(
                        (position, decoder.event(topic, UUID(originator), version, state))
                    )
                except ValueError as error:  # tampered state, or a topic with no class
                    self._unreadable(position, topic, error)
            self.events += len(events)
            for projection in self.projections:
                self._fold_page(projection, events)

    def _fold_page(self, projection: Projection, events: list[tuple[int, Any]]) -> None:
        """Fold one page into ``projection``'s rows, as the runner's catch-up would."""
        if projection.name in self.failures:
            return
        stop, handlers = self.positions[projection.name], projection.handlers
        todo = [(n, e) for n, e in events if n <= stop and self._topic(e) in handlers]
        if not todo:
            return
        rows = self.states[projection.name]
        overlay = Overlay(rows.get)
        try:
            for _, event in todo:
                overlay.merge(projection.apply(overlay, event))
            changes = overlay.changes()
            rows.write([*changes, *projection.derive(overlay.before(), changes)])
        except UNFOLDABLE as error:
            first, last = todo[0][0], todo[-1][0]
            self._fail(
                projection.name,
                f"the events at positions {first} to {last} do not "
                f"fold ({type(error).__name__}: {error}); its rows were not "
                "compared",
            )

    def _unreadable(self, position: int, topic: str, error: Exception) -> None:
        for projection in self.projections:
            if topic in projection.handlers:
                self._fail(
                    projection.name,
                    f"the stored event at position {position} cannot "
                    f"be read ({error}); its rows were not compared",
                )

    def _fail(self, name: str, message: str) -> None:
        if name not in self.failures:
            self.failures[name] = RowFinding(name, "*", "*", message.replace("\n", " "))


def _compare(
    projection: str, table: Table[Any], held: Mapping[Key, Any], folded: Mapping[Key, Any]
) -> list[RowFinding]:
    """Return a finding per row of ``table`` that the stored and folded rows disagree on."""
    found: list[RowFinding] = []
    differing = 0
    for key in _sorted(held.keys() | folded.keys()):
        stored, derived = held.get(key), folded.get(key)
        if stored == derived:
            continue
        differing += 1
        if len(found) == SHOWN_PER_TABLE:
            continue
        if stored is None:
            message = "missing: the events give this row, the table does not hold it"
        elif derived is None:
            message = "not in the events: the table holds a row no event gives"
        else:
            message = "; ".join(differences(stored, derived)) or "differs"
        found.append(RowFinding(projection, table.name, _key_text(key), message))
    if differing > len(found):
        found.append(
            RowFinding(projection, table.name, "...", f"{differing - len(found)} more rows differ")
        )
    return found


def _sorted(keys: set[Key]) -> list[Key]:
    try:
        return sorted(keys)
    except TypeError:  # a None in a key part
        return sorted(keys, key=repr)


def _key_text(key: Key) -> str:
    return ", ".join(str(part) for part in key)
