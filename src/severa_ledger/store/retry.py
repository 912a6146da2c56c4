"""Retrying what conflicts with other writers: jittered back-off, the DDL race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError, InternalError, ProgrammingError

T = TypeVar("T")


#: Attempts of a command that conflicts with other writers before ConcurrencyError.
MAX_ATTEMPTS = 30


def back_off(attempt: int) -> None:
    """Sleep a random, growing while before retrying a conflicted save (no livelock)."""
    time.sleep(random.uniform(0, min(0.001 * 2**attempt, 0.2)))  # noqa: S311 -- jitter only


def retry_ddl(create: Callable[[], T]) -> T:
    """Return ``create()``, retried while another process runs the same CREATE statements.

    Processes that open a new PostgreSQL store at the same moment race on its
    CREATE statements; the losers wait a short, random while and try again.
    """
    for attempt in range(MAX_ATTEMPTS):
        try:
            return create()
        except (IntegrityError, InternalError, ProgrammingError) as error:
            racing = not isinstance(error, ProgrammingError) or "already exists" in str(error)
            if not racing or attempt == MAX_ATTEMPTS - 1:
                raise
            back_off(attempt)
    raise AssertionError  # pragma: no cover -- the loop returns or raises
