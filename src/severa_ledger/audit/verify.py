"""``Ledger.verify``: the chain, the log's shape, the topics, the re-derivation, the read models.

Nothing is forgiven: an event of unknown type, a gap in an aggregate's
versions, a read-model row the events do not give, and events the chain does
not cover each make the report not ok. While the log itself is damaged,
nothing in the report advises re-chaining it: the chain's own advice to
``seal --extend`` is replaced by the advice to restore the store.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import attrs

from severa_ledger.audit.damage import Damage, log_damage
from severa_ledger.audit.problems import UNCHAINED, Problem
from severa_ledger.audit.readmodels import ReadModelCheck, check_read_models, set_up
from severa_ledger.audit.rederive import Rederivation, rederive
from severa_ledger.audit.replay import Finding
from severa_ledger.audit.topics import UnknownEvent, unknown_events
from severa_ledger.audit.trail import AuditTrail, ChainReport
from severa_ledger.domain.delivery import Undelivered
from severa_ledger.workers.pool import open_pool, worker_count

#: Stored events from which verify re-derives in worker processes (about 2,000 customers).
PARALLEL_FROM_EVENTS = 80_000

if TYPE_CHECKING:
    from severa_ledger.audit.chain import Seal
    from severa_ledger.reader.reader import LedgerReader


@attrs.frozen
class VerifyReport:
    """What ``verify`` found. ``ok``: no tampering, every document re-derived, every row matched.

    ``chain`` reports the hash chain (``problem``: the first position where the
    stored log no longer matches, with its kind; ``extensions``: explicit
    re-chains); ``rederivation`` the orders and invoices recomputed from the
    input events and any ``findings``; ``unknown_events`` the stored events whose
    topic names no event class; ``read_models`` the read-model rows compared
    with a fold of the events, and those that differ; ``damage`` the breaks in
    the log's shape a recomputed chain hides (:mod:`severa_ledger.audit.damage`);
    ``undelivered`` the documents due with no delivery recorded (``Ledger.verify(today=...)``).
    """

    ok: bool
    chain: ChainReport
    rederivation: Rederivation
    unknown_events: tuple[UnknownEvent, ...] = ()
    read_models: ReadModelCheck | None = None
    damage: tuple[Damage, ...] = ()
    #: Documents due by the date verify was given with no delivery recorded (R35).
    undelivered: tuple[Undelivered, ...] = ()

    @property
    def log_damaged(self) -> bool:
        """Return whether the log itself is damaged: restore it, never rebuild from it."""
        return self.chain.problem is not None or bool(self.unknown_events or self.damage)

    @property
    def problem(self) -> Problem | None:
        """Return the chain's first problem, if any."""
        return self.chain.problem

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Return the documents that did not re-derive."""
        return self.rederivation.findings


def verify(
    trail: AuditTrail,
    reader: LedgerReader,
    seal: Seal | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Check the chain (against ``seal`` if given), topics, documents and read models.

    From ``PARALLEL_FROM_EVENTS`` stored events on a file or server store (or
    with ``workers`` > 1), worker processes re-derive while this process checks
    the chain, the topics and the read models on a thread of its own; the
    report is the same either way. ``progress(customers done, customers)``
    follows the re-derivation.
    """

    def check_stored() -> tuple[ChainReport, tuple[UnknownEvent, ...], ReadModelCheck]:
        return trail.check(seal), unknown_events(reader.recorder), check_read_models(reader)

    damage = log_damage(reader.recorder, _tracking(reader))

    events = reader.recorder.max_notification_id() or 0
    count = worker_count(reader, events, workers, parallel_from=PARALLEL_FROM_EVENTS)
    with open_pool(reader, count) as pool:
        if pool is None:
            chain, unknown, models = check_stored()
            rederivation = rederive(reader, progress=progress)
        else:
            with ThreadPoolExecutor(1) as thread:
                checking = thread.submit(check_stored)
                rederivation = rederive(reader, pool, progress)
                chain, unknown, models = checking.result()
    ok = chain.ok and not rederivation.findings and not unknown and models.ok and not damage
    if damage:
        chain = _without_rechaining(chain)
    return VerifyReport(ok, chain, rederivation, unknown, models, damage)


def _tracking(reader: LedgerReader) -> dict[str, int]:
    """Return each read model's applied position (read before the log is walked)."""
    models = reader.read_models
    if not set_up(reader):  # missing, and SQLite's write lock held elsewhere: none tracked
        return {}
    with models.store.reading() as stored:
        return {name: tracking.position for name, tracking in stored.tracking().items()}


def _without_rechaining(chain: ChainReport) -> ChainReport:
    """Return ``chain`` without the unchained problem's advice to re-chain: the log is damaged."""
    problem = chain.problem
    if problem is None or problem.kind != UNCHAINED:
        return chain
    what = problem.message.split("; the ledger saves nothing more")[0]
    message = (
        f"{what}; the log is damaged (below): do not chain them (`seal --extend` would vouch "
        "for a damaged log), keep this store for investigation and restore it from a backup"
    )
    return attrs.evolve(chain, problem=attrs.evolve(problem, message=message))
