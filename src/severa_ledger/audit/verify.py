"""``Ledger.verify``: the hash chain and the re-derivation, in one report."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import attrs

from severa_ledger.audit.rederive import Finding, Rederivation, rederive
from severa_ledger.audit.trail import AuditTrail, ChainReport, Problem

#: Stored events from which verify re-derives in worker processes (about 2,000 customers).
PARALLEL_FROM_EVENTS = 80_000

if TYPE_CHECKING:
    from severa_ledger.audit.chain import Seal
    from severa_ledger.queries import LedgerReader


@attrs.frozen
class VerifyReport:
    """What ``verify`` found. ``ok``: no tampering and every document re-derived.

    ``chain`` reports the hash chain (``problem``: the first position where the
    stored log no longer matches, with its kind); ``rederivation`` the orders
    and invoices recomputed from the input events and any ``findings``.
    """

    ok: bool
    chain: ChainReport
    rederivation: Rederivation

    @property
    def problem(self) -> Problem | None:
        """Return the chain's first problem, if any."""
        return self.chain.problem

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Return the documents that did not re-derive."""
        return self.rederivation.findings


def verify(
    trail: AuditTrail, reader: LedgerReader, seal: Seal | None = None, workers: int | None = None
) -> VerifyReport:
    """Check the chain (against ``seal`` if given) and re-derive every document.

    From ``PARALLEL_FROM_EVENTS`` stored events on a file or server store (or
    with ``workers`` > 1), worker processes re-derive while this process checks
    the chain on a thread of its own; the report is the same either way.
    """
    from severa_ledger.billing_pool import open_pool, worker_count  # noqa: PLC0415 -- cycle

    events = reader.recorder.max_notification_id() or 0
    count = worker_count(reader, events, workers, parallel_from=PARALLEL_FROM_EVENTS)
    with open_pool(reader, count) as pool:
        if pool is None:
            chain = trail.check(seal)
            rederivation = rederive(reader)
        else:
            with ThreadPoolExecutor(1) as thread:
                checking = thread.submit(trail.check, seal)
                rederivation = rederive(reader, pool)
                chain = checking.result()
    return VerifyReport(chain.ok and not rederivation.findings, chain, rederivation)
