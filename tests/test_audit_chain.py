"""Tamper evidence: the hash chain finds edited, deleted, inserted and swapped events.

Every case edits the stored tables directly with SQL, on SQLite and on
PostgreSQL, then asks the ledger to verify: the report names the kind of
change and the first position (notification id) where the log stopped
matching its chain.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from datetime import date
from uuid import UUID

import pytest

from severa_ledger import InvalidSealError, Ledger
from severa_ledger.audit.chain import Seal
from tests.conftest import open_customer
from tests.tamper import Tamper
from tests.test_concurrency import run_concurrently

BOUGHT = "LicensesBought"


def record_history(ledger: Ledger) -> None:
    """Two quarterly customers, purchases, users, a removal and a billing run: 25 events."""
    open_customer(ledger, "C1", anchor=date(2025, 5, 1))
    open_customer(ledger, "C2", anchor=date(2025, 5, 1))
    ledger.buy_licenses("C1", "user", 3, on=date(2025, 5, 1))
    ledger.buy_licenses("C2", "user", 2, on=date(2025, 5, 2))
    ledger.activate_user("C1", "kari", on=date(2025, 5, 2))
    ledger.remove_licenses("C1", "user", 1, on=date(2025, 5, 20))
    ledger.buy_licenses("C1", "user", 2, on=date(2025, 6, 5))
    ledger.run_billing(through=date(2025, 8, 31))


@pytest.fixture
def history(sql_url: str) -> Iterator[tuple[Ledger, Tamper]]:
    """A ledger holding the recorded history, and SQL access to its tables."""
    with Ledger.open(sql_url) as ledger:
        record_history(ledger)
        yield ledger, Tamper(sql_url)


def check(url: str, seal: Seal | None = None) -> tuple[str | None, int | None, bool]:
    """Return the chain problem's kind and position, and whether the whole report is ok."""
    with Ledger.open(url) as fresh:
        report = fresh.verify(seal)
    problem = report.chain.problem
    return (problem.kind if problem else None, problem.position if problem else None, report.ok)


def test_an_untouched_log_verifies(history: tuple[Ledger, Tamper]) -> None:
    """Nothing edited: the chain matches every event and every document re-derives."""
    ledger, tamper = history
    report = ledger.verify()
    assert report.ok
    assert report.chain.problem is None
    assert report.findings == ()
    assert report.chain.events == len(tamper.positions()) == report.chain.head
    assert (report.rederivation.customers, report.rederivation.orders) == (2, 5)


def test_the_chain_is_sha256_over_the_previous_digest_and_the_event(
    history: tuple[Ledger, Tamper],
) -> None:
    """docs/auditing.md's recipe, applied to the raw rows with hashlib, gives the seal's digest."""
    ledger, tamper = history
    digest = hashlib.sha256(b"severa-ledger/audit-chain/v1").digest()
    for position in tamper.positions():
        originator, version, topic, state = tamper.row(position)
        parts = [str(UUID(str(originator))).encode(), str(version).encode(), topic.encode(), state]
        canonical = b"".join(len(p).to_bytes(8, "big") + p for p in parts)
        digest = hashlib.sha256(digest + hashlib.sha256(canonical).digest()).digest()
    assert ledger.seal().digest == digest.hex()


def test_one_changed_byte_is_found_at_its_position(history: tuple[Ledger, Tamper]) -> None:
    """A quantity 3 -> 4 in the first purchase's stored JSON: 'altered' at that event."""
    _, tamper = history
    first_purchase = tamper.positions(BOUGHT)[0]
    tamper.flip_byte(first_purchase, b"3", b"4")
    kind, position, ok = check(tamper.url)
    assert (kind, position, ok) == ("altered", first_purchase, False)


def test_a_deleted_event_is_found_as_missing(history: tuple[Ledger, Tamper]) -> None:
    """Deleting the second purchase: 'deleted' at its position, not taken for a gap."""
    _, tamper = history
    second = tamper.positions(BOUGHT)[1]
    tamper.delete(second)
    assert check(tamper.url)[:2] == ("deleted", second)


def test_a_deleted_last_event_is_found(history: tuple[Ledger, Tamper]) -> None:
    """Deleting the newest event: its digest has no event any more."""
    _, tamper = history
    last = tamper.positions()[-1]
    tamper.delete(last)
    assert check(tamper.url)[:2] == ("deleted", last)


def test_a_forged_event_appended_is_found_unchained(history: tuple[Ledger, Tamper]) -> None:
    """A copied purchase with a new version, appended: no digest covers it."""
    _, tamper = history
    forged = tamper.forge(tamper.positions(BOUGHT)[0], version=99)
    position = tamper.append(forged)
    assert check(tamper.url)[:2] == ("unchained", position)


def test_a_forged_event_inserted_in_the_middle_is_found(history: tuple[Ledger, Tamper]) -> None:
    """A forged event at position 5, the later events renumbered: 'inserted' at 5."""
    _, tamper = history
    forged = tamper.forge(tamper.positions(BOUGHT)[0], version=99)
    tamper.insert_at(5, forged)
    assert check(tamper.url)[:2] == ("inserted", 5)


def test_two_swapped_events_are_found(history: tuple[Ledger, Tamper]) -> None:
    """The two first purchases exchange positions: 'swapped' at the earlier one."""
    _, tamper = history
    first, second = tamper.positions(BOUGHT)[:2]
    tamper.swap(first, second)
    assert check(tamper.url)[:2] == ("swapped", first)


def test_two_swapped_neighbours_are_found(history: tuple[Ledger, Tamper]) -> None:
    """Events 3 and 4 exchange positions: 'swapped' at 3."""
    _, tamper = history
    tamper.swap(3, 4)
    assert check(tamper.url)[:2] == ("swapped", 3)


def test_an_edited_digest_is_found(history: tuple[Ledger, Tamper]) -> None:
    """A digest overwritten in the digests table: 'digest' at that row."""
    _, tamper = history
    tamper.sql(f"UPDATE {tamper.chain} SET digest = ? WHERE notification_id = 7", "00" * 32)
    assert check(tamper.url)[:2] == ("digest", 7)


def test_a_recomputed_chain_is_caught_by_the_seal(history: tuple[Ledger, Tamper]) -> None:
    """Edit event 4, recompute every digest: the chain agrees, the seal kept apart does not."""
    ledger, tamper = history
    seal = Seal.from_json(ledger.seal().to_json())
    tamper.flip_byte(tamper.positions(BOUGHT)[0], b"3", b"4")
    tamper.drop_digests()
    with Ledger.open(tamper.url) as rechained:
        assert rechained.extend_chain() == seal.events
    assert check(tamper.url)[0] is None
    assert check(tamper.url, seal)[:2] == ("seal", seal.position)


def test_a_truncated_log_is_caught_by_the_seal(history: tuple[Ledger, Tamper]) -> None:
    """The last two events and their digests deleted: only the seal notices."""
    ledger, tamper = history
    seal = ledger.seal()
    for position in tamper.positions()[-2:]:
        tamper.delete(position)
    tamper.drop_digests(after=seal.position - 2)
    assert check(tamper.url)[0] is None
    assert check(tamper.url, seal)[:2] == ("seal", seal.position)


def test_a_log_that_grew_still_extends_its_seal(history: tuple[Ledger, Tamper]) -> None:
    """Sealed, then more commands: the log extends the seal."""
    ledger, tamper = history
    seal = ledger.seal()
    ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
    with Ledger.open(tamper.url) as fresh:
        report = fresh.verify(seal)
    assert report.ok
    assert report.chain.sealed is True
    assert report.chain.events == seal.events + 2  # the purchase and its addition order


def test_a_seal_is_json_with_position_digest_count_and_time(history: tuple[Ledger, Tamper]) -> None:
    """The seal round-trips through JSON; a seal of another chain is refused."""
    ledger, tamper = history
    seal = ledger.seal()
    assert seal.position == tamper.positions()[-1]
    assert seal.events == len(tamper.positions())
    assert seal.recorded_at is not None
    assert seal.recorded_at.tzinfo is not None
    assert Seal.from_json(seal.to_json()) == seal
    with pytest.raises(InvalidSealError):
        Seal.from_json('{"position": 1, "events": 1, "digest": "zz"}')
    with pytest.raises(InvalidSealError):
        Seal.from_json('{"position": 1, "events": 1, "digest": "00", "chain": "other"}')


def test_a_store_from_before_the_chain_is_chained_on_request(
    history: tuple[Ledger, Tamper],
) -> None:
    """No digests at all: verify reports every event unchained until extend_chain."""
    _, tamper = history
    tamper.drop_digests()
    assert check(tamper.url)[:2] == ("unchained", 1)
    with Ledger.open(tamper.url) as ledger:
        assert ledger.extend_chain() == len(tamper.positions())
        assert ledger.extend_chain() == 0
    assert check(tamper.url) == (None, None, True)


def test_the_memory_store_keeps_a_chain_too(memory_ledger: Ledger) -> None:
    """In memory the digests live beside the in-memory events and verify."""
    record_history(memory_ledger)
    report = memory_ledger.verify()
    assert report.ok
    assert report.chain.events == memory_ledger.seal().events > 20


def test_notification_gaps_on_postgresql_are_not_problems(pg_url: str) -> None:
    """A conflicting save consumes a PostgreSQL id: the gap verifies, a deletion does not."""
    with Ledger.open(pg_url) as ledger:
        record_history(ledger)
        stale = ledger.repository.get(ledger.subscription("C2").id)  # type: ignore[union-attr]
        ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
        stale.buy("user", 1, date(2025, 9, 2), "severa")
        with pytest.raises(Exception, match="duplicate key"):
            ledger.save(stale)
        ledger.buy_licenses("C1", "user", 1, on=date(2025, 9, 3))
    tamper = Tamper(pg_url)
    positions = tamper.positions()
    gaps = [b for a, b in itertools.pairwise(positions) if b != a + 1]
    assert gaps, "the conflicting save left no gap"
    assert check(pg_url) == (None, None, True)
    tamper.delete(gaps[0])
    assert check(pg_url)[:2] == ("deleted", gaps[0])


def test_concurrent_writers_leave_one_verifiable_chain(sql_url: str) -> None:
    """Four ledgers buying at once each extend the chain; the result is one chain, intact."""
    with Ledger.open(sql_url) as setup:
        open_customer(setup, "C1", anchor=date(2025, 1, 1), months=12)

    def buy(ledger: Ledger, n: int) -> None:
        for _ in range(5):
            ledger.buy_licenses("C1", "user", 1 + n % 2, on=date(2025, 3, 1))

    assert run_concurrently(sql_url, buy) == []
    with Ledger.open(sql_url) as check_ledger:
        report = check_ledger.verify()
    assert report.ok, report.chain.problem
    assert report.chain.events == len(Tamper(sql_url).positions()) == 2 + 4 * 5 * 2


def test_verify_runs_while_the_ledger_is_written(sql_url: str) -> None:
    """Verifying during concurrent saves never reports a problem: events and digests commit together."""
    with Ledger.open(sql_url) as setup:
        open_customer(setup, "C1", anchor=date(2025, 1, 1), months=12)
    reports = []

    def work(ledger: Ledger, n: int) -> None:
        if n == 0:
            reports.extend(ledger.verify() for _ in range(8))
        else:
            for _ in range(6):
                ledger.buy_licenses("C1", "user", 1, on=date(2025, 3, 1))

    assert run_concurrently(sql_url, work) == []
    assert len(reports) == 8
    assert [r.chain.problem for r in reports if not r.ok] == []


def test_saves_of_more_events_than_a_chain_page_are_chained(sql_url: str) -> None:
    """Saves of thousands of events (a year's billing) chain page after page, in order."""
    with Ledger.open(sql_url) as ledger:
        for batch in range(12):
            customers = [f"B{batch}-{n}" for n in range(40)]
            ledger.run_batch(
                [lambda c=c: open_customer(ledger, c, anchor=date(2024, 1, 1), months=1)
                 for c in customers]
                + [lambda c=c: ledger.buy_licenses(c, "user", 2, on=date(2024, 1, 5))
                   for c in customers]
            )  # fmt: skip
        ledger.run_billing(through=date(2024, 12, 31))
        report = ledger.verify()
        assert report.ok, report
        notes = ledger.recorder.select_notifications(
            start=0, limit=100_000, inclusive_of_start=False
        )
        assert ledger.seal().position == notes[-1].id
