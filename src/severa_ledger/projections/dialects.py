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

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from typing import Any

import attrs
from eventsourcing.persistence import Transcoder

from severa_ledger.domain.errors import DamagedReadModelError, LedgerError
from severa_ledger.projections.coding import (
    Convert,
    ObjectCache,
    json_decoders,
    json_encoders,
)
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

#: What decoding an edited read-model row can raise (bad JSON, text in a number column).
UNREADABLE = (ValueError, TypeError, KeyError, ArithmeticError, LedgerError)


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
    _objects: list[ObjectCache] = attrs.field(factory=list, eq=False, repr=False)

    @property
    def objects(self) -> ObjectCache:
        """Return the value objects coded so far, both ways, shared by every table."""
        if not self._objects:
            self._objects.append(ObjectCache(self.encoders[OBJECT], self.decoders[OBJECT]))
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


def sqlite_dialect(transcoder: Transcoder, events_table: str) -> Dialect:
    """Return SQLite's dialect: dates, timestamps and money as TEXT."""
    encoders: dict[str, Convert] = {
        BOOLEAN: int,
        DATE: date.isoformat,
        TIMESTAMP: datetime.isoformat,
        MONEY: str,
        **json_encoders(transcoder),
    }
    decoders: dict[str, Convert] = {
        BOOLEAN: bool,
        DATE: date.fromisoformat,
        TIMESTAMP: datetime.fromisoformat,
        MONEY: Decimal,
        **json_decoders(transcoder),
    }
    types = {
        TEXT: "TEXT",
        INTEGER: "INTEGER",
        BOOLEAN: "INTEGER",
        DATE: "TEXT",
        TIMESTAMP: "TEXT",
        MONEY: "TEXT",
        JSON: "TEXT",
        OBJECT: "TEXT",
    }
    return Dialect(None, "?", types, encoders, decoders, events_table, "rowid")


def postgres_dialect(transcoder: Transcoder, schema: str, events_table: str) -> Dialect:
    """Return PostgreSQL's dialect: NUMERIC money, DATE, TIMESTAMPTZ; JSON as TEXT."""
    types = {
        TEXT: "TEXT",
        INTEGER: "BIGINT",
        BOOLEAN: "BOOLEAN",
        DATE: "DATE",
        TIMESTAMP: "TIMESTAMPTZ",
        MONEY: "NUMERIC",
        JSON: "TEXT",
        OBJECT: "TEXT",
    }
    encoders, decoders = json_encoders(transcoder), json_decoders(transcoder)
    from psycopg.errors import NumericValueOutOfRange  # noqa: PLC0415 -- an optional extra

    return Dialect(
        schema,
        "%s",
        types,
        encoders,
        decoders,
        events_table,
        "notification_id",
        (NumericValueOutOfRange,),
    )


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
        cols = [
            f"{quote(c.name)} {d.types[c.kind]}{'' if c.nullable else ' NOT NULL'}"
            for c in self.table.columns
        ]
        key = ", ".join(quote(k) for k in self.table.key)
        create = f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(cols)}, PRIMARY KEY ({key}))"
        statements = [create]
        for index in self.table.indexes:
            index_name = quote(f"{self.table.name}_{'_'.join(index)}_idx")
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {index_name} ON {self.name} "
                f"({', '.join(quote(c) for c in index)})"
            )
        return statements

    def upsert(self) -> str:
        """Return the INSERT ... ON CONFLICT DO UPDATE statement of a row."""
        names = [c.name for c in self.table.columns]
        params = ", ".join([self.dialect.param] * len(names))
        update = ", ".join(
            f"{quote(n)} = excluded.{quote(n)}" for n in names if n not in self.table.key
        )
        key = ", ".join(quote(k) for k in self.table.key)
        action = f"DO UPDATE SET {update}" if update else "DO NOTHING"
        return (
            f"INSERT INTO {self.name} ({self.columns}) VALUES ({params}) "
            f"ON CONFLICT ({key}) {action}"
        )

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
        return [
            (c.name, objects.decode if c.kind == OBJECT else decoders.get(c.kind))
            for c in self.table.columns
        ]

    @cached_property
    def _objects(self) -> ObjectCache:
        return self.dialect.objects

    def encode(self, row: object) -> tuple[object, ...]:
        """Return a row as the upsert's parameters."""
        values = list(self._getter(row))
        for i, convert in self._encoders:
            if values[i] is not None:
                values[i] = convert(values[i])
        return tuple(values)

    def decode(self, found: Any) -> Any:  # noqa: ANN401 -- a driver's row
        """Return the row a driver's row holds; raise DamagedReadModelError if none can hold it."""
        values = {}
        try:
            for name, convert in self._decoders:
                value = found[name]
                values[name] = value if convert is None or value is None else convert(value)
            return self.table.row(**values)
        except UNREADABLE as error:  # a value edited in the store
            key = ", ".join(str(found[k]) for k in self.table.key)
            raise DamagedReadModelError(
                f"the read-model row {key} of {self.table.name} cannot be read "
                f"({type(error).__name__}: {error}); it was edited in the store: run "
                "`severa-ledger verify`"
            ) from None


def convert(converters: dict[str, Convert], column: Column, value: object) -> object:
    """Return ``value`` converted for (or from) ``column``; NULL stays None."""
    if value is None:
        return None
    return converters.get(column.kind, _identity)(value)
