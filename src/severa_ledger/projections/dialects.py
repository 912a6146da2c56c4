"""How rows become SQL on SQLite and PostgreSQL: names, types, statements, conversions.

Money is never a float: decimal TEXT on SQLite, NUMERIC on PostgreSQL, read
back as the same ``Decimal``. Dates are ISO TEXT or DATE. ``json`` columns
hold JSON of plain values; ``object`` columns hold value objects in the
events' own encoding (the ledger's transcoder), so stored documents read
back exactly as recorded.
"""

# ruff: noqa: S608 -- SQL is built from this module's own table and column names, quoted;
# every value is passed as a parameter.
from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import Any

import attrs
from eventsourcing.persistence import JSONTranscoder, Transcoder

from severa_ledger.projections.rows import (
    BOOLEAN,
    DATE,
    INTEGER,
    JSON,
    MONEY,
    OBJECT,
    TEXT,
    TIMESTAMP,
    Column,
    Key,
    Table,
)

Convert = Callable[[Any], Any]


def quote(name: str) -> str:
    """Return ``name`` as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _identity(value: object) -> object:
    return value


@attrs.frozen
class Dialect:
    """What differs between SQLite and PostgreSQL: names, types, placeholders, conversions."""

    schema: str | None
    param: str
    types: dict[str, str]
    encoders: dict[str, Convert]
    decoders: dict[str, Convert]
    events_table: str
    events_id: str
    #: The driver's errors for a value its column type cannot hold (raised as OverflowError).
    range_errors: tuple[type[Exception], ...] = ()
    _statements: dict[str, Statements] = attrs.field(factory=dict, eq=False, repr=False)
    _objects: list[_ObjectCache] = attrs.field(factory=list, eq=False, repr=False)

    @property
    def objects(self) -> _ObjectCache:
        """Return the value objects coded so far, both ways, shared by every table."""
        if not self._objects:
            self._objects.append(_ObjectCache(self.encoders[OBJECT], self.decoders[OBJECT]))
        return self._objects[0]

    def qualify(self, name: str) -> str:
        """Return the quoted, schema-qualified name of a table."""
        return quote(name) if self.schema is None else f"{quote(self.schema)}.{quote(name)}"

    def statements(self, table: Table[Any]) -> Statements:
        """Return the SQL of ``table`` (built once)."""
        found = self._statements.get(table.name)
        if found is None:
            found = self._statements[table.name] = Statements(table, self)
        return found


def _json_encoders(transcoder: Transcoder) -> dict[str, Convert]:
    encode: Convert = lambda v: transcoder.encode(v).decode()  # noqa: E731 -- a converter
    if isinstance(transcoder, JSONTranscoder):
        encode = _FastEncoder(transcoder).encode
    return {JSON: json.dumps, OBJECT: encode}


class _FastEncoder:
    """The JSON ``JSONTranscoder`` writes, made by one walk and the C encoder.

    The transcoder calls back from the C encoder into Python for every value
    object; walking the value first is about a third faster. The text is
    the same, so the transcoder decodes it.
    """

    def __init__(self, transcoder: JSONTranscoder) -> None:
        self.types = transcoder.types
        self.dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def plain(self, value: Any) -> Any:  # noqa: ANN401 -- any stored value
        """Return ``value`` as JSON data with ``_type_``/``_data_`` for value objects."""
        kind = type(value)
        if kind in _PLAIN or value is None:
            return value
        if kind is dict:
            return {k: self.plain(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            return [self.plain(v) for v in value]
        transcoding = self.types[kind]
        return {"_type_": transcoding.name, "_data_": self.plain(transcoding.encode(value))}

    def encode(self, value: object) -> str:
        """Return the JSON text of ``value``."""
        text: str = self.dumps(self.plain(value))
        return text


_PLAIN = frozenset({str, int, bool, float})


def _json_decoders(transcoder: Transcoder) -> dict[str, Convert]:
    return {JSON: json.loads, OBJECT: lambda v: transcoder.decode(v.encode())}


def sqlite_dialect(transcoder: Transcoder, events_table: str) -> Dialect:
    """Return SQLite's dialect: dates, timestamps and money as TEXT."""
    encoders: dict[str, Convert] = {
        BOOLEAN: int, DATE: date.isoformat, TIMESTAMP: datetime.isoformat, MONEY: str,
        **_json_encoders(transcoder),
    }  # fmt: skip
    decoders: dict[str, Convert] = {
        BOOLEAN: bool, DATE: date.fromisoformat, TIMESTAMP: datetime.fromisoformat,
        MONEY: Decimal, **_json_decoders(transcoder),
    }  # fmt: skip
    types = {TEXT: "TEXT", INTEGER: "INTEGER", BOOLEAN: "INTEGER", DATE: "TEXT",
             TIMESTAMP: "TEXT", MONEY: "TEXT", JSON: "TEXT", OBJECT: "TEXT"}  # fmt: skip
    return Dialect(None, "?", types, encoders, decoders, events_table, "rowid")


def postgres_dialect(transcoder: Transcoder, schema: str, events_table: str) -> Dialect:
    """Return PostgreSQL's dialect: NUMERIC money, DATE, TIMESTAMPTZ; JSON as TEXT."""
    types = {TEXT: "TEXT", INTEGER: "BIGINT", BOOLEAN: "BOOLEAN", DATE: "DATE",
             TIMESTAMP: "TIMESTAMPTZ", MONEY: "NUMERIC", JSON: "TEXT", OBJECT: "TEXT"}  # fmt: skip
    encoders, decoders = _json_encoders(transcoder), _json_decoders(transcoder)
    from psycopg.errors import NumericValueOutOfRange  # noqa: PLC0415 -- an optional extra

    return Dialect(schema, "%s", types, encoders, decoders, events_table, "notification_id",
                   (NumericValueOutOfRange,))  # fmt: skip


@attrs.frozen
class Statements:
    """The SQL of one table in one dialect, and its row conversions."""

    table: Table[Any]
    dialect: Dialect

    @property
    def name(self) -> str:
        """Return the table's qualified name."""
        return self.dialect.qualify(self.table.name)

    @property
    def columns(self) -> str:
        """Return the column list."""
        return ", ".join(quote(c.name) for c in self.table.columns)

    def where(self, names: Sequence[str]) -> str:
        """Return ``a = ? AND b = ?`` for the columns named."""
        return " AND ".join(f"{quote(n)} = {self.dialect.param}" for n in names)

    def encode_key(self, key: Key) -> tuple[object, ...]:
        """Return a primary key as parameters."""
        return self.encode_values(dict(zip(self.table.key, key, strict=True)))

    def encode_values(self, values: dict[str, object]) -> tuple[object, ...]:
        """Return column values as parameters."""
        columns = {c.name: c for c in self.table.columns}
        return tuple(convert(self.dialect.encoders, columns[n], v) for n, v in values.items())

    def create(self) -> list[str]:
        """Return the CREATE TABLE and CREATE INDEX statements."""
        d = self.dialect
        cols = [f"{quote(c.name)} {d.types[c.kind]}{'' if c.nullable else ' NOT NULL'}"
                for c in self.table.columns]  # fmt: skip
        key = ", ".join(quote(k) for k in self.table.key)
        create = f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(cols)}, PRIMARY KEY ({key}))"
        statements = [create]
        for index in self.table.indexes:
            index_name = quote(f"{self.table.name}_{'_'.join(index)}_idx")
            statements.append(f"CREATE INDEX IF NOT EXISTS {index_name} ON {self.name} "
                              f"({', '.join(quote(c) for c in index)})")  # fmt: skip
        return statements

    def upsert(self) -> str:
        """Return the INSERT ... ON CONFLICT DO UPDATE statement of a row."""
        names = [c.name for c in self.table.columns]
        params = ", ".join([self.dialect.param] * len(names))
        update = ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in names
                           if n not in self.table.key)  # fmt: skip
        key = ", ".join(quote(k) for k in self.table.key)
        action = f"DO UPDATE SET {update}" if update else "DO NOTHING"
        return (f"INSERT INTO {self.name} ({self.columns}) VALUES ({params}) "
                f"ON CONFLICT ({key}) {action}")  # fmt: skip

    @cached_property
    def _getter(self) -> Callable[[object], tuple[object, ...]]:
        names = [c.name for c in self.table.columns]
        get = attrgetter(*names)
        return get if len(names) > 1 else lambda row: (get(row),)

    @cached_property
    def _encoders(self) -> list[tuple[int, Convert]]:
        """Return (column position, converter) for the columns not stored as they are."""
        encoders: list[tuple[int, Convert]] = []
        for i, column in enumerate(self.table.columns):
            convert = self.dialect.encoders.get(column.kind)
            if column.kind == OBJECT:
                encoders.append((i, self._objects.encode))
            elif convert is not None:
                encoders.append((i, convert))
        return encoders

    @cached_property
    def _decoders(self) -> list[tuple[str, Convert | None]]:
        objects = self._objects
        decoders = self.dialect.decoders
        return [(c.name, objects.decode if c.kind == OBJECT else decoders.get(c.kind))
                for c in self.table.columns]  # fmt: skip

    @cached_property
    def _objects(self) -> _ObjectCache:
        return self.dialect.objects

    def encode(self, row: object) -> tuple[object, ...]:
        """Return a row as the upsert's parameters."""
        values = list(self._getter(row))
        for i, convert in self._encoders:
            if values[i] is not None:
                values[i] = convert(values[i])
        return tuple(values)

    def decode(self, found: Any) -> Any:  # noqa: ANN401 -- a driver's row
        """Return the row a driver's row holds."""
        values = {}
        for name, convert in self._decoders:
            value = found[name]
            values[name] = value if convert is None or value is None else convert(value)
        return self.table.row(**values)


class _ObjectCache:
    """Value objects and their JSON, both ways, so that unchanged values are not coded again.

    A row rewritten with the same price versions or documents it was read
    with (the usual case: most events change one field) reuses their text.
    Values are immutable, so sharing a decoded one between rows is safe.
    Values pinned by a session (read from its events, with their stored
    JSON) are kept until the session ends.
    """

    LIMIT = 4096

    def __init__(self, encode: Convert, decode: Convert) -> None:
        self._encode = encode
        self._decode = decode
        self._texts: dict[int, tuple[object, str]] = {}
        self._values: dict[str, object] = {}
        self._pinned: dict[int, tuple[object, str]] = {}

    def pin(self, value: object, text: str) -> None:
        """Take ``text`` as the encoding of ``value`` (read from a stored event) until unpinned."""
        self._pinned[id(value)] = (value, text)

    def unpin(self) -> None:
        """Forget the pinned values."""
        self._pinned.clear()

    def _remember(self, value: object, text: str) -> None:
        if len(self._texts) > self.LIMIT:
            self._texts.clear()
            self._values.clear()
        self._texts[id(value)] = (value, text)
        self._values[text] = value

    def encode(self, value: object) -> str:
        found = self._pinned.get(id(value)) or self._texts.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text: str
        if type(value) is tuple and value and all(attrs.has(type(v)) for v in value):
            # Compact JSON: the array is its items' texts, each coded (or found) once.
            text = "[" + ",".join(self.encode(v) for v in value) + "]"
        else:
            text = self._encode(value)
        self._remember(value, text)
        return text

    def decode(self, text: str) -> object:
        found = self._values.get(text)
        if found is None:
            found = self._decode(text)
            if isinstance(found, list):  # rows hold tuples: keep the one decoded
                found = tuple(found)
            self._remember(found, text)
        return found


def convert(converters: dict[str, Convert], column: Column, value: object) -> object:
    """Return ``value`` converted for (or from) ``column``; NULL stays None."""
    if value is None:
        return None
    return converters.get(column.kind, _identity)(value)
