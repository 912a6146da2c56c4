"""One billing run shared by processes on many machines, through PostgreSQL claims.

Every process started with the same through date does the same thing
(``store/postgres_claims.py``): it claims chunks of customers to advance, one
at a time, until none is left (a chunk whose holder died is claimed again when
its lease ends); then one process at a time holds the numbering claim and
runs the ordinary billing run (``billing/run.py``), which finds the
subscriptions advanced and numbers and issues every invoice due in the one
global order, chunk by chunk, renewing its lease after each. A process killed
while numbering leaves the rest to the next holder, which skips what is issued
(the accounts' cursors) and numbers on from the series' last number: numbers
stay gapless per seller and each invoice is issued once, as the series and the
accounts are versioned aggregates (a save that raced another conflicts and is
retried on fresh copies).

Numbers follow one global order across sellers' series, so numbering is one
process at a time: advancing (about two thirds of a run) is shared, numbering
and issuing are not. That bounds the speed-up by the numbering share.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import attrs

from severa_ledger.billing.plan import BillingReport
from severa_ledger.billing.run import Progress, _chunks, _save_sizes, advance_chunk, run_billing
from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.domain.rules import check_date

if TYPE_CHECKING:
    from severa_ledger.reader.reader import LedgerReader as Ledger
    from severa_ledger.store.postgres_claims import Claims

#: Seconds a claim is held without renewal before another process may take it.
LEASE = 60.0
#: Seconds between looks at the claims while another process holds what is left.
POLL = 0.2


def run_shared_billing(
    ledger: Ledger, through: date, lease: float = LEASE, progress: Progress | None = None
) -> BillingReport:
    """Take part in the billing run through ``through`` shared by every process billing it.

    Returns what this process recorded; the process that numbered reports the
    invoice numbers of the whole run.
    """
    through = check_date(through, "through")
    if type(lease) not in {int, float} or lease <= 0:
        raise InvalidValueError(f"lease must be a number of seconds > 0, got {lease!r}")
    claims = _claims(ledger, through)
    customers = ledger.customers()
    chunks = list(_chunks(customers, _save_sizes(ledger)[0]))
    claims.open(len(chunks))
    events, orders = _advance_claimed(ledger, claims, chunks, through, lease)
    report = _number(ledger, claims, through, lease, progress)
    if report is None:
        return BillingReport(through, len(customers), events, orders, ())
    return attrs.evolve(report, events=report.events + events, orders=report.orders + orders)


def _claims(ledger: Ledger, through: date) -> Claims:
    from eventsourcing.postgres import PostgresApplicationRecorder  # noqa: PLC0415

    from severa_ledger.store.postgres_claims import Claims  # noqa: PLC0415 -- psycopg: optional

    recorder = ledger.recorder
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise InvalidValueError("a shared billing run needs a PostgreSQL store")
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return Claims(recorder.datastore, through.isoformat(), holder)


def _advance_claimed(
    ledger: Ledger, claims: Claims, chunks: list[Sequence[str]], through: date, lease: float
) -> tuple[int, int]:
    """Advance claimed chunks until every chunk is done (or the run is over)."""
    events = orders = 0
    while True:
        part = claims.claim(lease)
        if part is not None:
            if part < len(chunks):  # another process may have counted more customers
                found, saved = advance_chunk(ledger, chunks[part], through)
                events, orders = events + saved, orders + found.orders
            claims.finish(part)
            continue
        left, rows = claims.left()
        if left == 0 or rows == 0:
            return events, orders
        time.sleep(POLL)


def _number(
    ledger: Ledger, claims: Claims, through: date, lease: float, progress: Progress | None
) -> BillingReport | None:
    """Issue the invoices once this process holds the numbering claim; None: another did."""
    while True:
        if claims.claim(lease, numbering=True) is not None:

            def renew(done: int, total: int) -> None:
                claims.renew(-1, lease)
                if progress is not None:
                    progress(done, total)

            report = run_billing(ledger, through, workers=1, progress=renew)
            claims.close()
            return report
        if claims.left()[1] == 0:
            return None
        time.sleep(POLL)
