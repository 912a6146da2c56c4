"""The whole log as JSON Lines, for an auditor to load elsewhere.

One line per stored event, in notification order::

    {"position": 12, "customer": "1002", "aggregate": "Subscription",
     "event_type": "LicensesBought", "topic": "...", "originator_id": "...",
     "version": 5, "effective_date": "2025-06-05",
     "recorded_at": "2025-06-05T09:14:03.120000+00:00", "digest": "9f2c...", "data": {...}}

``digest`` is the chain digest of that event (null when not chained yet).
``data`` holds the event's own fields: amounts as strings, dates ISO 8601.
Events are decoded, so an encrypted store exports its plaintext: the export
holds personal data and must be kept accordingly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import IO, TYPE_CHECKING, Any
from uuid import UUID

import attrs

from severa_ledger.audit.chain import Lookahead
from severa_ledger.domain.account import account_id
from severa_ledger.domain.errors import UnknownEventTypeError
from severa_ledger.domain.rules import check_date
from severa_ledger.domain.subscription import subscription_id
from severa_ledger.store.chain import ChainRow
from severa_ledger.store.chain_stores import all_rows
from severa_ledger.store.decoding import EventDecoder, unknown_event_type
from severa_ledger.store.known import recorded_at

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol
    from eventsourcing.persistence import Notification

    from severa_ledger.audit.trail import AuditTrail
    from severa_ledger.reader.reader import LedgerReader as Ledger

HIDDEN = {"originator_id", "originator_version", "timestamp", "originator_topic"}


def to_data(value: object) -> object:
    """Return ``value`` as JSON data: Decimal as string, dates ISO 8601, attrs as objects."""
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    cls: Any = type(value)
    if attrs.has(cls):
        return {f.name: to_data(getattr(value, f.name)) for f in attrs.fields(cls)}
    if isinstance(value, Mapping):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(v) for v in value]
    return value


def _digests(trail: AuditTrail) -> Lookahead[ChainRow]:
    return Lookahead(all_rows(trail.store))


def _digest_of(rows: Lookahead[ChainRow], position: int) -> str | None:
    row = rows.peek()
    while row is not None and row.position < position:
        rows.advance()
        row = rows.peek()
    return row.digest if row is not None and row.position == position else None


def records(
    ledger: Ledger,
    trail: AuditTrail,
    *,
    customer_number: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Iterator[dict[str, object]]:
    """Yield the export's records, filtered by customer and effective-date range (inclusive)."""
    since = None if since is None else check_date(since, "since")
    until = None if until is None else check_date(until, "until")
    wanted = None
    if customer_number is not None:
        wanted = {subscription_id(customer_number), account_id(customer_number)}
    customers: dict[str, str] = {}
    rows = _digests(trail)
    decoder = EventDecoder(ledger.mapper)
    for note in trail.notifications():
        if wanted is not None and _uuid(note.originator_id) not in wanted:
            continue
        try:
            event: Any = decoder.to_domain_event(note)
        except UnknownEventTypeError:
            raise unknown_event_type(
                note.topic, note.originator_id, note.originator_version, note.id
            ) from None
        key = str(note.originator_id)
        if getattr(event, "originator_topic", None) and hasattr(event, "customer_number"):
            customers[key] = event.customer_number
        effective = getattr(event, "effective_date", None)
        dated = since is not None or until is not None
        if dated and (effective is None or not _within(effective, since, until)):
            continue
        yield _record(note, event, customers.get(key), _digest_of(rows, note.id))


def _uuid(value: UUID | str) -> UUID | str:
    return value if isinstance(value, UUID) else UUID(value)


def _within(day: date, since: date | None, until: date | None) -> bool:
    return (since is None or day >= since) and (until is None or day <= until)


def _record(
    note: Notification, event: DomainEventProtocol[Any], customer: str | None, digest: str | None
) -> dict[str, object]:
    effective = getattr(event, "effective_date", None)
    return {
        "position": note.id,
        "customer": customer,
        "aggregate": note.topic.partition(":")[2].partition(".")[0],
        "event_type": type(event).__name__,
        "topic": note.topic,
        "originator_id": str(note.originator_id),
        "version": note.originator_version,
        "effective_date": effective.isoformat() if effective else None,
        "recorded_at": recorded_at(event).isoformat(),
        "digest": digest,
        "data": {k: to_data(v) for k, v in vars(event).items() if k not in HIDDEN},
    }


def export_jsonl(
    ledger: Ledger,
    trail: AuditTrail,
    stream: IO[str],
    *,
    customer_number: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> int:
    """Write the filtered log to ``stream``, one JSON object a line; return the lines."""
    count = 0
    found = records(ledger, trail, customer_number=customer_number, since=since, until=until)
    for record in found:
        stream.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        count += 1
    return count
