"""Rows, tables and changes: the vocabulary every read model is written in.

A read model is a set of tables of immutable rows (attrs frozen classes), each
row found by its primary key. A projection's fold reads rows through a
:class:`Rows` view and returns :class:`Change` values (upserts and deletes);
applying the changes to the view gives the next state. The runner
(:mod:`severa_ledger.projections.runner`) backs the view with the store and
writes only the changes; the tests back it with a dict (:class:`MemoryRows`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from operator import attrgetter
from types import UnionType
from typing import Any, Generic, NamedTuple, Protocol, TypeVar, Union, get_args, get_origin
from uuid import UUID

import attrs
from eventsourcing.utils import get_topic

R = TypeVar("R")
Key = tuple[Any, ...]

#: Column kinds: plain values, JSON of builtin types, and value objects (the ledger's
#: own transcodings, as in stored events).
TEXT, INTEGER, BOOLEAN, DATE, TIMESTAMP, MONEY, JSON, OBJECT = (
    "text",
    "integer",
    "boolean",
    "date",
    "timestamp",
    "money",
    "json",
    "object",
)
_KINDS: dict[object, str] = {
    str: TEXT,
    int: INTEGER,
    bool: BOOLEAN,
    date: DATE,
    datetime: TIMESTAMP,
    Decimal: MONEY,
}


@attrs.frozen
class Column:
    """One column: its name, its kind (``text``, ``money``, ``json``...), and if it may be NULL."""

    name: str
    kind: str
    nullable: bool


def _column(field: attrs.Attribute[Any]) -> Column:
    hint: object = field.type
    nullable = False
    if get_origin(hint) in {Union, UnionType}:
        kinds = [a for a in get_args(hint) if a is not type(None)]
        nullable = len(kinds) < len(get_args(hint))
        hint = kinds[0] if len(kinds) == 1 else object
    return Column(field.name, _KINDS.get(hint) or (JSON if _plain(hint) else OBJECT), nullable)


def _plain(hint: object) -> bool:
    """Return whether values of ``hint`` are JSON as they are: dicts and lists of str and int."""
    if hint in {str, int}:
        return True
    return get_origin(hint) in {dict, list} and all(_plain(a) for a in get_args(hint))


@attrs.frozen
class Table(Generic[R]):
    """A read-model table: its name, row class, primary key and indexes."""

    name: str
    row: type[R]
    key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = ()
    columns: tuple[Column, ...] = attrs.field(init=False)

    @columns.default
    def _columns(self) -> tuple[Column, ...]:
        row: type[Any] = self.row
        return tuple(_column(f) for f in attrs.fields(attrs.resolve_types(row)))

    def key_of(self, row: R) -> Key:
        """Return ``row``'s primary key."""
        if len(self.key) == 1:
            return (getattr(row, self.key[0]),)
        return tuple(getattr(row, name) for name in self.key)

    def values(self, row: R) -> dict[str, Any]:
        """Return ``row``'s fields by column name."""
        return {c.name: getattr(row, c.name) for c in self.columns}


class Change(NamedTuple):
    """An upsert (``row`` set) or a delete (``row`` None) of the row at ``key``."""

    table: Table[Any]
    key: Key
    row: Any


def upsert(table: Table[R], row: R) -> Change:
    """Return the change that stores ``row`` at its key."""
    return Change(table, table.key_of(row), row)


@cache
def _layout(cls: type[Any]) -> tuple[Callable[[Any], tuple[Any, ...]], dict[str, int]] | None:
    fields = attrs.fields(cls)
    if len(fields) < 2 or any(not f.init or f.kw_only for f in fields):  # noqa: PLR2004
        return None
    return attrgetter(*(f.name for f in fields)), {f.name: i for i, f in enumerate(fields)}


def replace(row: R, **changes: Any) -> R:  # noqa: ANN401 -- any field's value
    """Return ``row`` with ``changes``: ``attrs.evolve``, its fields looked up once per class."""
    layout = _layout(type(row))  # type: ignore[arg-type]
    if layout is None:
        return attrs.evolve(row, **changes)  # type: ignore[misc]
    get, index = layout
    values = list(get(row))
    for name, value in changes.items():
        values[index[name]] = value
    return type(row)(*values)


def delete(table: Table[Any], key: Key) -> Change:
    """Return the change that removes the row at ``key``."""
    return Change(table, key, None)


class Rows(Protocol):
    """A read-only view of a projection's rows."""

    def get(self, table: Table[R], key: Key) -> R | None:
        """Return the row at ``key``, or None."""
        ...  # pragma: no cover -- a protocol


class Projection:
    """A read model: its tables, the event topics it reads, and its fold.

    ``apply(rows, event)`` is pure: it reads rows and returns the changes the
    event makes. ``version`` is bumped whenever the tables or the fold change,
    so stores built by an older fold are rebuilt.
    """

    name: str
    version: int
    tables: tuple[Table[Any], ...]
    #: Concrete event topic -> handler ``(rows, event) -> changes``, named after the event.
    handlers: Mapping[str, Callable[[Rows, Any], Iterable[Change]]]

    @property
    def topics(self) -> tuple[str, ...]:
        """Return the stored topics this read model reads, sorted."""
        return tuple(sorted(self.handlers))

    def apply(self, rows: Rows, event: Any) -> list[Change]:  # noqa: ANN401 -- any event
        """Return the changes ``event`` makes to ``rows`` (none if it is not read here)."""
        handler = self.handlers.get(get_topic(type(event)))
        return [] if handler is None else list(handler(rows, event))

    def derive(self, before: Rows, changes: Sequence[Change]) -> list[Change]:
        """Return the changes to derived tables that ``changes`` to ``before`` make.

        A derived table (license counts) is a pure function of other rows; the
        runner derives once per page, from the rows before and after it.
        """
        del before, changes
        return []

    def prefetch(self, event: Any) -> Iterable[tuple[Table[Any], Key]]:  # noqa: ANN401 -- event
        """Return rows ``apply`` will read for ``event``, for the runner to load in bulk."""
        del event
        return ()

    @property
    def fingerprint(self) -> str:
        """Return a digest of the version and the table definitions."""
        shape = repr(
            (self.name, self.version, [(t.name, t.key, t.indexes, t.columns) for t in self.tables])
        )
        return hashlib.sha256(shape.encode()).hexdigest()[:16]


class Overlay:
    """Rows as loaded from a store, with the changes folded so far on top."""

    def __init__(self, load: Callable[[Table[Any], Key], Any]) -> None:
        self._load = load
        self._seen: dict[tuple[str, Key], Any] = {}
        self._loaded: dict[tuple[str, Key], Any] = {}
        self._changed: dict[tuple[str, Key], Change] = {}

    def get(self, table: Table[R], key: Key) -> R | None:
        """Return the row at ``key``: changed here, else loaded once from the store."""
        slot = (table.name, key)
        if slot not in self._seen:
            self._seen[slot] = self._loaded[slot] = self._load(table, key)
        found: R | None = self._seen[slot]
        return found

    def preload(self, table: Table[Any], rows: Mapping[Key, Any]) -> None:
        """Take rows loaded in bulk (None: no row) unless already seen here."""
        for key, row in rows.items():
            slot = (table.name, key)
            if slot not in self._seen:
                self._seen[slot] = self._loaded[slot] = row

    def before(self) -> Rows:
        """Return the rows as the store held them before any change merged here."""
        return _Before(self)

    def merge(self, changes: Iterable[Change]) -> None:
        """Apply ``changes`` on top of the rows."""
        for change in changes:
            slot = (change.table.name, change.key)
            self._seen[slot] = change.row
            self._changed[slot] = change

    def changes(self) -> list[Change]:
        """Return the net change of every row changed, one per row."""
        return list(self._changed.values())


class _Before:
    """An overlay's rows before its changes: as loaded, else as the store still holds them."""

    def __init__(self, overlay: Overlay) -> None:
        self._overlay = overlay

    def get(self, table: Table[R], key: Key) -> R | None:
        slot = (table.name, key)
        loaded = self._overlay._loaded  # noqa: SLF001 -- the overlay's own view
        found: R | None = loaded[slot] if slot in loaded else self._overlay._load(table, key)  # noqa: SLF001
        return found


class MemoryRows:
    """Every row of some tables, in dicts: the pure fold's state, and the memory store's."""

    def __init__(self, tables: Mapping[str, Mapping[Key, Any]] | None = None) -> None:
        self.tables: dict[str, dict[Key, Any]] = {n: dict(r) for n, r in (tables or {}).items()}

    def get(self, table: Table[R], key: Key) -> R | None:
        """Return the row at ``key``, or None."""
        found: R | None = self.tables.get(table.name, {}).get(key)
        return found

    def write(self, changes: Iterable[Change]) -> None:
        """Apply ``changes`` in place."""
        for change in changes:
            rows = self.tables.setdefault(change.table.name, {})
            if change.row is None:
                rows.pop(change.key, None)
            else:
                rows[change.key] = change.row

    def updated(self, changes: Iterable[Change]) -> MemoryRows:
        """Return a copy with ``changes`` applied; this one is left as it was."""
        copy = MemoryRows(self.tables)
        copy.write(changes)
        return copy

    def rows(self, table: Table[R]) -> list[R]:
        """Return the rows of ``table``, by key."""
        found = self.tables.get(table.name, {})
        return [found[k] for k in sorted(found)]


def fold(projection: Projection, events: Iterable[Any]) -> MemoryRows:
    """Return the state ``projection`` folds ``events`` to, from no rows."""
    state = MemoryRows()
    for event in events:
        changes = projection.apply(state, event)
        state = state.updated([*changes, *projection.derive(state, changes)])
    return state


@lru_cache(maxsize=4096)
def id_text(aggregate_id: UUID) -> str:
    """Return an aggregate id as the text keys hold it (``str(uuid)``; remembered)."""
    return str(aggregate_id)


def iter_sorted(rows: Iterable[R], table: Table[R]) -> Iterator[R]:
    """Yield rows ordered by their primary key."""
    yield from sorted(rows, key=table.key_of)
