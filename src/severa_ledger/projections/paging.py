"""One page of a read-model table: filtered, in a stable order, counted (docs/web.md).

The web app's lists (the operator's page, ``GET /api/v1/subscriptions``) read
a page of rows instead of every row: on SQLite and PostgreSQL a ``LIMIT`` /
``OFFSET`` query ordered by an indexed column, so the index serves the page
without reading the table (text in the store's collation: codepoint order on
SQLite, as Python's ``sorted`` in memory, and the database's collation on
PostgreSQL, codepoint order under ``C`` or ``C.UTF-8``). A ``WHERE`` on a
column without an index reads every row (wide ones here): filters cost more.
"""

# ruff: noqa: S608 -- SQL is built from the table's own quoted column names; values are parameters.
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from severa_ledger.projections.dialects import quote
from severa_ledger.projections.rows import R, Table
from severa_ledger.projections.sql import IN_CHUNK, SqlSession
from severa_ledger.projections.store import Reader


@attrs.frozen
class Where:
    """Which rows: those whose columns equal the values given (all rows if none)."""

    equal: Mapping[str, object] = attrs.field(factory=dict)

    def keeps(self, row: object) -> bool:
        """Return whether ``row`` is one of them (the in-memory rule)."""
        return all(getattr(row, k) == v for k, v in self.equal.items())


def _sql_where(session: SqlSession, table: Table[Any], where: Where) -> tuple[str, list[object]]:
    s, p = session.dialect.statements(table), session.dialect.param
    terms = [f"{quote(k)} = {p}" for k in where.equal]
    params = list(s.encode_values(dict(where.equal)))
    return (f" WHERE {' AND '.join(terms)}" if terms else ""), params


def _order(names: tuple[str, ...]) -> str:
    """Return the ORDER BY list (plain columns, so that an index serves it)."""
    return ", ".join(quote(n) for n in names)


def page(
    reader: Reader,
    table: Table[R],
    *,
    order_by: tuple[str, ...],
    where: Where,
    offset: int,
    limit: int,
) -> list[R]:
    """Return at most ``limit`` rows kept by ``where``, from ``offset``, ordered by ``order_by``."""
    if not isinstance(reader, SqlSession):
        kept = sorted((r for r in reader.select(table) if where.keeps(r)), key=_by(order_by))
        return kept[offset : offset + limit]
    s = reader.dialect.statements(table)
    sql, params = _sql_where(reader, table, where)
    found = reader._fetch(  # noqa: SLF001 -- the session's own cursor, this layer's module
        f"SELECT {s.columns} FROM {s.name}{sql} ORDER BY {_order(order_by)} "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        params,
    )
    return [s.decode(r) for r in found]


def count(reader: Reader, table: Table[Any], where: Where) -> int:
    """Return how many rows ``where`` keeps."""
    if not isinstance(reader, SqlSession):
        return sum(1 for r in reader.select(table) if where.keeps(r))
    s = reader.dialect.statements(table)
    sql, params = _sql_where(reader, table, where)
    found = reader._fetch(f"SELECT COUNT(*) AS n FROM {s.name}{sql}", params)  # noqa: SLF001
    return int(found[0]["n"])


def columns(
    reader: Reader,
    table: Table[Any],
    names: tuple[str, ...],
    *,
    order_by: tuple[str, ...],
    where: Where,
) -> list[tuple[Any, ...]]:
    """Return the named columns of every row ``where`` keeps, ordered by ``order_by`` (as stored).

    For text columns only: a search reads two columns of every row, not whole rows.
    """
    if not isinstance(reader, SqlSession):
        kept = sorted((r for r in reader.select(table) if where.keeps(r)), key=_by(order_by))
        return [tuple(getattr(r, n) for n in names) for r in kept]
    s = reader.dialect.statements(table)
    sql, params = _sql_where(reader, table, where)
    wanted = ", ".join(quote(n) for n in names)
    found = reader._fetch(  # noqa: SLF001
        f"SELECT {wanted} FROM {s.name}{sql} ORDER BY {_order(order_by)}", params
    )
    return [tuple(r[n] for n in names) for r in found]


def select_in(reader: Reader, table: Table[R], name: str, values: Sequence[object]) -> list[R]:
    """Return the rows whose column ``name`` holds one of ``values`` (one query per 500)."""
    if not isinstance(reader, SqlSession):
        wanted = set(values)
        return [r for r in reader.select(table) if getattr(r, name) in wanted]
    s, found = reader.dialect.statements(table), []
    for i in range(0, len(values), IN_CHUNK):
        chunk = list(values[i : i + IN_CHUNK])
        marks = ", ".join([reader.dialect.param] * len(chunk))
        params = [s.encode_values({name: v})[0] for v in chunk]
        sql = f"SELECT {s.columns} FROM {s.name} WHERE {quote(name)} IN ({marks})"
        found += [s.decode(r) for r in reader._fetch(sql, params)]  # noqa: SLF001
    return found


def _by(names: tuple[str, ...]) -> Any:  # noqa: ANN401 -- a sort key
    return lambda row: tuple(getattr(row, n) for n in names)
