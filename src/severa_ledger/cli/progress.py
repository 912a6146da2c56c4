"""Progress on the terminal: a bar while a long command runs, only when stdout is a terminal.

The library reports progress through an optional ``progress(done, total)``
callback and never reads a clock; the bar (and its timing) lives here, at
the edge. Piped or captured output (tests, scripts) gets no bar at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Callback = Callable[[int, int], None]


def on_terminal() -> bool:
    """Return whether stdout is a terminal (a person watching)."""
    return sys.stdout.isatty()


@contextmanager
def progress_bar(description: str) -> Iterator[Callback | None]:
    """Yield a ``(done, total)`` callback drawing a bar, or None when stdout is no terminal."""
    if not on_terminal():
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
