"""The chain kept over one ledger's log: extend it, seal it, check it.

The ledger's recorders write each save's digests with its events
(:mod:`severa_ledger.store.recorders`) and refuse a save the chain does not
lead up to; :meth:`AuditTrail.extend`, an explicit and recorded re-chain, is
the only way to chain events stored without digests (a store written before
the chain, or edited around it).

:meth:`AuditTrail.check` walks the stored events and the stored digests side
by side, a page at a time (constant memory), and stops at the first position
where they disagree. Positions are notification ids, which may have gaps on
PostgreSQL: the chain records each event's id, so a deleted event shows as a
chained id with no event, never as a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from typing import Any

import attrs
from eventsourcing.persistence import ApplicationRecorder, Mapper, Notification

from severa_ledger.audit.chain import Lookahead, Seal, clean_walk
from severa_ledger.audit.problems import (
    ALTERED,
    DELETED,
    DIGEST,
    INSERTED,
    MOVED,
    SEAL,
    SWAPPED,
    Problem,
    label,
    past_seal,
    unchained,
)
from severa_ledger.projections.log import Log
from severa_ledger.store.chain import GENESIS, ChainRow, chain_rows, event_hash, link
from severa_ledger.store.chain_stores import (
    PAGE,
    TABLE,
    ChainStore,
    Extension,
    SQLiteChainStore,
    all_rows,
    log_extension,
)
from severa_ledger.store.chain_table import store_for
from severa_ledger.store.known import recorded_at


@attrs.frozen
class ChainReport:
    """What checking the chain found: ``problem`` is None when the log matches.

    ``events`` is the number of events whose digests matched, ``head`` the
    position of the last of them. ``extensions`` are the explicit re-chains:
    the events they chained were not chained as they were saved, so the chain
    vouches for them only from the re-chain on (informational: not a problem).
    """

    events: int
    head: int
    problem: Problem | None = None
    sealed: bool | None = None
    extensions: tuple[Extension, ...] = ()
    ok: bool = attrs.field(init=False)

    @ok.default
    def _ok(self) -> bool:
        """Every stored event matches its digest (and the seal, if given)."""
        return self.problem is None


class AuditTrail:
    """The hash chain of one ledger: its digests table, read and checked against the log."""

    def __init__(self, recorder: ApplicationRecorder, mapper: Mapper[Any]) -> None:
        self.recorder = recorder
        self.mapper = mapper
        self.store: ChainStore = store_for(recorder)

    def notifications(self, after: int = 0, stop: int | None = None) -> Iterator[Notification]:
        """Yield every stored event after position ``after`` (up to ``stop``), a page at a time."""
        last = after
        while True:
            notes = self.recorder.select_notifications(
                start=last, limit=PAGE, stop=stop, inclusive_of_start=False
            )
            if not notes:
                return
            yield from notes
            last = notes[-1].id

    def extend(self) -> int:
        """Chain every stored event not chained yet, and record that; return how many.

        The ledger's own recorders chain each save as they write it, and refuse
        a save after unchained events; this explicit re-chain catches up a
        store written before the chain (or by another recorder, or edited).
        """
        extend_chain = getattr(self.recorder, "extend_chain", None)  # ChainingRecorder
        if extend_chain is not None:
            chained: int = extend_chain()
            return chained
        head = self.store.head()
        last, previous = (head.position, head.digest) if head else (0, GENESIS)
        first = total = 0
        while notes := self.recorder.select_notifications(
            start=last, limit=PAGE, inclusive_of_start=False
        ):
            rows = list(chain_rows(((n.id, n) for n in notes), previous))
            self.store.insert(rows)
            previous, last = rows[-1].digest, rows[-1].position
            first, total = first or rows[0].position, total + len(rows)
        if total:
            extension = Extension(first, last, total)
            self.store.record_extension(extension)
            log_extension(extension)
        return total

    def seal(self) -> Seal:
        """Return the chain's head: position, digest, events chained and recorded time."""
        head = self.store.head()
        if head is None:
            return Seal(position=0, digest=GENESIS, events=0)
        note = self._note_at(head.position)
        recorded = None
        if note is not None:
            try:
                recorded = recorded_at(self.mapper.to_domain_event(note))
            except ValueError:  # unreadable (e.g. no cipher key): the seal still holds
                recorded = None
        return Seal(head.position, head.digest, self.store.count_through(head.position), recorded)

    def _note_at(self, position: int) -> Notification | None:
        notes = self.recorder.select_notifications(start=position, limit=1)
        return notes[0] if notes and notes[0].id == position else None

    def check(self, seal: Seal | None = None) -> ChainReport:
        """Recompute every digest; return the first position where the log disagrees.

        The walk covers the log as it stands when it starts (up to the highest
        position of an event or a digest then): events and digests are committed
        together, so writers saving meanwhile neither confuse nor delay it. The
        report lists the explicit re-chains too.
        """
        extensions = tuple(self.store.extensions())
        return attrs.evolve(self._check(seal), extensions=extensions)

    def _check(self, seal: Seal | None) -> ChainReport:
        newest = self.recorder.max_notification_id() or 0
        chained = self.store.head()  # read second: it covers every event counted above
        stop = max(newest, chained.position if chained else 0)
        events = chain.from_iterable(Log(self.recorder).pages(stop=stop))
        clean = clean_walk(events, self._digests(stop), seal)
        if clean is not None:  # the usual case: nothing to find, read once without objects
            matched, head, sealed = clean
            return ChainReport(matched, head, None, sealed)
        notes = Lookahead(self.notifications(stop=stop))
        rows = Lookahead(all_rows(self.store, stop))
        previous, matched, head = GENESIS, 0, 0
        sealed = None if seal is None else (seal.position, seal.digest) == (0, GENESIS)
        while True:
            note, row = notes.peek(), rows.peek()
            if note is None and row is None:
                break
            outcome = self._compare(note, row, notes, rows, head)
            problem = outcome if isinstance(outcome, Problem) else self._follows(outcome, previous)
            if problem is None and isinstance(outcome, ChainRow) and seal is not None:
                problem = past_seal(seal, outcome, matched + 1, sealed=bool(sealed))
                sealed = sealed or outcome.position == seal.position
            if problem is not None or not isinstance(outcome, ChainRow):
                return ChainReport(matched, head, problem, sealed)
            previous, head, matched = outcome.digest, outcome.position, matched + 1
            notes.advance()
            rows.advance()
        if seal is not None and not sealed:
            problem = Problem(
                SEAL,
                seal.position,
                f"the log ends at position {head} "
                f"({matched} events), before the sealed position "
                f"{seal.position} ({seal.events} events): events were removed "
                "and their digests with them",
            )
            return ChainReport(matched, head, problem, sealed)
        return ChainReport(matched, head, None, sealed)

    def _digests(self, stop: int) -> Iterator[tuple[int, str, str]]:
        """Yield ``(position, event hash, digest)`` of every stored digest up to ``stop``."""
        if not isinstance(self.store, SQLiteChainStore):
            yield from ((r.position, r.event_hash, r.digest) for r in all_rows(self.store, stop))
            return
        last = 0
        sql = (
            f"SELECT notification_id, event_hash, digest FROM {TABLE} "  # noqa: S608 -- constant
            "WHERE notification_id > ? AND notification_id <= ? "
            "ORDER BY notification_id LIMIT ?"
        )
        while True:
            with self.store.datastore.transaction(commit=False) as cursor:
                cursor.execute(sql, (last, stop, PAGE))
                rows = [(int(r[0]), str(r[1]), str(r[2])) for r in cursor.fetchall()]
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    @staticmethod
    def _follows(row: ChainRow, previous: str) -> Problem | None:
        if link(previous, row.event_hash) == row.digest:
            return None
        return Problem(
            DIGEST,
            row.position,
            f"the digest stored at position {row.position} "
            "does not follow from the one before: the digests were edited",
        )

    def _compare(
        self,
        note: Notification | None,
        row: ChainRow | None,
        notes: Lookahead[Notification],
        rows: Lookahead[ChainRow],
        head: int,
    ) -> Problem | ChainRow:
        """Return the row when ``note`` matches it, else the problem found there."""
        if row is None:
            return unchained(notes, head)
        if note is None or note.id > row.position:
            return Problem(
                DELETED,
                row.position,
                f"the event chained at position {row.position} ({label(row)}) is missing",
            )
        hashed = event_hash(note)
        if note.id < row.position:
            return self._stray(note, hashed)
        if hashed == row.event_hash:
            return row
        return self._classify(note, row, hashed, notes, rows)

    def _classify(
        self,
        note: Notification,
        row: ChainRow,
        hashed: str,
        notes: Lookahead[Notification],
        rows: Lookahead[ChainRow],
    ) -> Problem:
        after, row_after = notes.peek(1), rows.peek(1)
        after_hash = event_hash(after) if after is not None else None
        if (
            row_after is not None
            and hashed == row_after.event_hash
            and after_hash == row.event_hash
        ):
            return Problem(
                SWAPPED,
                note.id,
                f"the events at positions {note.id} and {row_after.position} were swapped",
            )
        if after is not None and after_hash == row.event_hash:
            return Problem(
                INSERTED,
                note.id,
                f"an event ({label(note)}) was inserted at "
                f"position {note.id}; the later events were renumbered",
            )
        if row_after is not None and hashed == row_after.event_hash:
            return Problem(
                DELETED,
                row.position,
                f"the event chained at position "
                f"{row.position} ({label(row)}) is missing; the later events "
                "were renumbered",
            )
        other = self.store.position_of(hashed)
        if other is not None and other != note.id:
            moved = self._note_at(other)
            if moved is not None and event_hash(moved) == row.event_hash:
                return Problem(
                    SWAPPED, note.id, f"the events at positions {note.id} and {other} were swapped"
                )
            return Problem(
                MOVED,
                note.id,
                f"the event at position {note.id} ({label(note)}) was chained at position {other}",
            )
        return Problem(
            ALTERED,
            note.id,
            f"the event at position {note.id} ({label(note)}) differs from the one chained there",
        )

    def _stray(self, note: Notification, hashed: str) -> Problem:
        other = self.store.position_of(hashed)
        if other is not None:
            return Problem(
                MOVED,
                note.id,
                f"the event at position {note.id} ({label(note)}) was chained at position {other}",
            )
        return Problem(
            INSERTED,
            note.id,
            f"the event at position {note.id} ({label(note)}) "
            "was never chained: it was inserted around the ledger",
        )
