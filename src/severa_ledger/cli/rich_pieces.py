"""The rich pieces every terminal view is built of: the console, titled tables, key-value grids."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable

from rich import box
from rich.console import Console
from rich.table import Table


def console() -> Console:
    """Return the console to print on: 160 columns wide when piped without ``COLUMNS``."""
    piped = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(markup=False, highlight=False, width=160 if piped else None)


def titled_table(title: str | None, *columns: str, right: Iterable[str] = ()) -> Table:
    """Return a table titled on the left, ``right`` columns right-justified and unwrapped."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        numeric = column in right
        table.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
    return table


def fit_narrow(table: Table, text: Iterable[str]) -> None:
    """Make a wide ``table`` fit a 100-column terminal without cutting a number or a date.

    Columns are set apart by one space under an underlined header (no box), and only
    the ``text`` columns fold (wrap, a word too long broken) to give way: amounts,
    dates, currencies and identifiers are never wrapped or cut.
    """
    folding = set(text)
    table.box = box.SIMPLE_HEAD
    table.show_edge = False
    table.padding = (0, 0)
    for column in table.columns:
        column.no_wrap = str(column.header) not in folding
        column.overflow = "fold"


def pairs(rows: Iterable[tuple[str, object]]) -> Table:
    """Return key-value rows as a grid, the keys in bold."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for key, value in rows:
        grid.add_row(key, "" if value is None else str(value))
    return grid
