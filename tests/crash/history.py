"""What a store holds, read back, and how two stores' holdings differ.

Two runs of the same commands record, aggregate by aggregate, the same
versions, topics and states; only the record time differs: eventsourcing's
``timestamp`` in every event's state (business dates are fields of their own).
Notification ids and the order of aggregates in the log may differ too (a
re-run records the rest later), so histories are compared per aggregate.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from severa_ledger import Ledger

#: Keys of an event's stored state that hold record time, not business facts.
RECORD_TIME = ("timestamp",)
PAGE = 5_000
COMMAND_RECORDED = "CommandRecord.CommandRecorded"

Event = tuple[int, str, str]  # version, topic, state without record time
History = dict[str, list[Event]]  # by originator id, in version order
Counts = dict[str, dict[str, tuple[int, int, int, int]]]  # customer -> kind -> counts
InvoiceRow = tuple[str, str, str, str, str, str]  # number, customer, order, issued, cur, total


@dataclass(frozen=True)
class Holdings:
    """What a store holds: its history, every customer's license counts, every invoice."""

    history: History
    counts: Counts
    invoices: list[InvoiceRow]


def business_state(state: bytes) -> str:
    """Return an event's stored state without its record time, as canonical JSON."""
    data = json.loads(state)
    for key in RECORD_TIME:
        data.pop(key, None)
    return json.dumps(data, sort_keys=True)


def notifications(ledger: Ledger) -> Iterator[Any]:
    """Yield every stored event, in log order."""
    last = 0
    while True:
        page = ledger.recorder.select_notifications(
            start=last, limit=PAGE, inclusive_of_start=False
        )
        if not page:
            return
        yield from page
        last = page[-1].id


def read_history(ledger: Ledger) -> History:
    """Return every aggregate's events (version, topic, state without record time)."""
    history: History = {}
    for note in notifications(ledger):
        event = (note.originator_version, note.topic, business_state(bytes(note.state)))
        history.setdefault(str(note.originator_id), []).append(event)
    for events in history.values():
        events.sort()
    return history


def license_counts(ledger: Ledger) -> Counts:
    """Return every customer's license counts per kind, as recorded."""
    return {
        customer: {
            kind: (c.licenses, c.active_users, c.free, c.pending_removal)
            for kind, c in sorted(ledger.license_counts(customer).items())
        }
        for customer in sorted(ledger.customers())
    }


def invoice_rows(ledger: Ledger) -> list[InvoiceRow]:
    """Return every invoice and credit note: number, customer, order, issue date, total."""
    return [
        (v.number, v.customer_number, str(v.order_sequence), v.issue_date.isoformat(),
         v.currency, str(v.total))
        for v in ledger.invoices()
    ]  # fmt: skip


def read_holdings(ledger: Ledger) -> Holdings:
    """Return what the ledger's store holds."""
    return Holdings(read_history(ledger), license_counts(ledger), invoice_rows(ledger))


def holdings(url: str) -> Holdings:
    """Return what the store at ``url`` holds."""
    with Ledger.open(url, cache_size=0) as ledger:
        return read_holdings(ledger)


def store_problems(url: str, want: Holdings) -> str:
    """Return how the store at ``url`` differs from ``want`` and what verify finds ("": none)."""
    with Ledger.open(url, cache_size=0) as ledger:
        problems = holdings_differences(read_holdings(ledger), want)
        report = ledger.verify()
    if not report.ok:
        problems.append(f"verify: chain {report.problem}, findings {report.findings[:3]}")
    return "\n".join(problems)


def command_results(url: str) -> list[tuple[str, str, object]]:
    """Return (command_id, command, result) of every command record stored."""
    with Ledger.open(url, cache_size=0) as ledger:
        events = (
            ledger.mapper.to_domain_event(note)
            for note in notifications(ledger)
            if COMMAND_RECORDED in note.topic
        )
        return [(e.command_id, e.command, e.result) for e in events]


def topic_counts(history: History) -> Counter[str]:
    """Return how many events of each topic a history holds."""
    return Counter(topic for events in history.values() for _, topic, _ in events)


def history_differences(got: History, want: History, limit: int = 6) -> list[str]:
    """Return how ``got`` differs from ``want``: topics counted, then the first aggregates."""
    problems = [
        f"{topic}: {got_n} events, want {want_n}"
        for topic in sorted(topic_counts(got) | topic_counts(want))
        if (got_n := topic_counts(got)[topic]) != (want_n := topic_counts(want)[topic])
    ]
    for key in sorted(got.keys() | want.keys()):
        if len(problems) >= limit * 2:
            problems.append("...")
            break
        mine, theirs = got.get(key, []), want.get(key, [])
        if mine != theirs:
            problems.append(f"aggregate {key}: {first_difference(mine, theirs)}")
    return problems


def first_difference(got: list[Event], want: list[Event]) -> str:
    """Return where two histories of one aggregate part."""
    for mine, theirs in zip(got, want, strict=False):
        if mine != theirs:
            return f"v{mine[0]} is {mine[1]} {mine[2][:200]}, want {theirs[1]} {theirs[2][:200]}"
    if len(got) > len(want):
        extra = got[len(want)]
        return f"{len(got)} events, want {len(want)}; v{extra[0]} {extra[1]} is extra"
    missing = want[len(got)]
    return f"{len(got)} events, want {len(want)}; v{missing[0]} {missing[1]} is missing"


def prefix_differences(got: History, want: History, limit: int = 6) -> list[str]:
    """Return the aggregates of ``got`` whose events are not the first ones of ``want``'s."""
    problems = []
    for key in sorted(got):
        if got[key] != want.get(key, [])[: len(got[key])]:
            problems.append(f"aggregate {key}: {first_difference(got[key], want.get(key, []))}")
            if len(problems) >= limit:
                break
    return problems


def holdings_differences(got: Holdings, want: Holdings) -> list[str]:
    """Return how two stores' holdings differ (empty: the same)."""
    problems = history_differences(got.history, want.history)
    customers = [c for c in sorted(got.counts.keys() | want.counts.keys())
                 if got.counts.get(c) != want.counts.get(c)]  # fmt: skip
    problems += [f"licenses of {c}: {got.counts.get(c)}, want {want.counts.get(c)}"
                 for c in customers[:5]]  # fmt: skip
    if got.invoices != want.invoices:
        extra = sorted(set(got.invoices) - set(want.invoices))
        missing = sorted(set(want.invoices) - set(got.invoices))
        problems.append(f"{len(got.invoices)} invoices, want {len(want.invoices)}; "
                        f"extra {extra[:3]}, missing {missing[:3]}")  # fmt: skip
    return problems


def store_history(url: str) -> History:
    """Return the history of the store at ``url``."""
    with Ledger.open(url, cache_size=0) as ledger:
        return read_history(ledger)
