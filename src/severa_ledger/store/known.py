"""The second time axis: what the ledger knew at a recorded instant (``known_at``).

An aggregate "as recorded by" an instant is the longest prefix of its events
whose recorded time (the event's ``timestamp``) is at or before that instant,
whatever was recorded later. Combined with ``as_of`` (a business date), the
prefix also stops at the first event effective after that date.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from severa_ledger.domain.errors import InvalidValueError


def recorded_at(event: object) -> datetime:
    """Return when ``event`` was recorded (eventsourcing's ``timestamp``)."""
    value = getattr(event, "timestamp", None)
    if not isinstance(value, datetime):
        msg = f"{type(event).__name__} has no recorded time"
        raise TypeError(msg)
    return value


def check_instant(value: object, what: str = "known_at") -> datetime:
    """Return ``value`` if it is an aware ``datetime``, else raise InvalidValueError."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValueError(
            f"{what} must be a datetime with a time zone (e.g. UTC), got {value!r}"
        )
    return value


def recorded_by(event: object, known_at: datetime | None) -> bool:
    """Return whether ``event`` was recorded at or before ``known_at`` (always, for None)."""
    return known_at is None or recorded_at(event) <= known_at


def known_version(
    events: Iterable[DomainEventProtocol[Any]],
    *,
    known_at: datetime | None = None,
    as_of: date | None = None,
) -> int | None:
    """Return the version of the longest prefix recorded by ``known_at`` and effective by ``as_of``.

    None when even the first event is excluded.
    """
    version = None
    for event in events:
        if not recorded_by(event, known_at):
            break
        effective = getattr(event, "effective_date", None)
        if as_of is not None and effective is not None and effective > as_of:
            break
        version = event.originator_version
    return version
