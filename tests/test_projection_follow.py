"""``severa-ledger projections follow``: another process keeps the read models current."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import pytest

from severa_ledger import Ledger
from tests.conftest import pg_schema_url
from tests.test_projections import all_rows, folded_from_log

WRITER = textwrap.dedent("""
    import sys, time
    from datetime import date
    from decimal import Decimal
    from severa_ledger import CompanyDetails, Ledger
    company = CompanyDetails(legal_name="Fjordtech Consulting AS", org_number="974760673",
                             country="NO", street="Storgata 1", postcode="0155", city="Oslo")
    with Ledger.open(sys.argv[1]) as ledger:  # records only: never queries, never catches up
        for n in range(4):
            customer = f"W{n}"
            ledger.open_subscription(customer, company=company, currency="NOK", period_months=1,
                                     anchor=date(2025, 1, 1), prices={"user": Decimal("100.00")},
                                     on=date(2025, 1, 1), seller="visma-solutions-oy",
                                     regime="after_start")
            for month in range(1, 7):
                ledger.activate_user(customer, f"u{month}", on=date(2025, month, 2 + n),
                                     buy_if_needed=True)
                time.sleep(0.05)
        ledger.run_billing(through=date(2025, 6, 30))
        ledger.record_payment("VSOY-000001", Decimal("100.00"), on=date(2025, 1, 10))
""")
#: Seconds the follower may take to converge after the writer's last commit.
CONVERGED_WITHIN = 15.0


def positions(url: str) -> dict[str, int]:
    """Return the tracking positions, read without catching up."""
    with Ledger.open(url) as reader:
        return {s.projection: s.position for s in reader.read_models.status()}


def heads(url: str) -> tuple[dict[str, int], int]:
    """Return the last notification each projection reads, and how many all of them read."""
    with Ledger.open(url) as reader:
        found, read = {}, set()
        for name, projection in reader.read_models.runner.projections.items():
            notes = reader.recorder.select_notifications(
                start=0, limit=10**9, topics=list(projection.topics), inclusive_of_start=False
            )
            found[name] = notes[-1].id if notes else 0
            read |= {n.id for n in notes}
        return found, len(read)


@pytest.fixture(params=["postgres", "sqlite"])
def follow_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    """PostgreSQL (NOTIFY wakes the follower) and SQLite (the follower polls)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/follow.db"
    else:
        yield from pg_schema_url()


def test_a_follow_process_converges_to_the_writers_state(follow_url: str) -> None:
    """A writer process records; a follow process keeps the tables current; SIGTERM stops it."""
    notify = follow_url.startswith("postgresql")
    Ledger.open(follow_url).close()  # the store exists before both processes start
    interval = "30" if notify else "0.2"  # on PostgreSQL only a NOTIFY can wake it in time
    follower = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "severa_ledger.cli", "--db", follow_url, "projections", "follow",
         "--seconds", "120", "--interval", interval, "--format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(1.5)  # LISTEN before the writer starts (later events would wait for a poll)
        writer = subprocess.Popen([sys.executable, "-c", WRITER, follow_url])  # noqa: S603
        seen_while_writing = 0
        while writer.poll() is None:
            seen_while_writing = max(seen_while_writing, positions(follow_url)["subscriptions"])
            time.sleep(0.3)
        assert writer.returncode == 0
        written = time.monotonic()
        wanted, notifications = heads(follow_url)
        while any(positions(follow_url)[n] < head for n, head in wanted.items()):
            assert time.monotonic() - written < CONVERGED_WITHIN, (positions(follow_url), wanted)
            time.sleep(0.1)
        converged = time.monotonic() - written
        assert seen_while_writing > 0  # it followed while the writer was still writing
        with Ledger.open(follow_url) as reader:
            assert all_rows(reader) == folded_from_log(reader)
            with_read_models = {c: reader.license_counts(c) for c in ("W0", "W3")}
            reader.read_models_enabled = False
            assert {c: reader.license_counts(c) for c in ("W0", "W3")} == with_read_models
        follower.send_signal(signal.SIGTERM)
        out, err = follower.communicate(timeout=20)
    finally:
        if follower.poll() is None:
            follower.kill()
    assert follower.returncode == 0, err
    summary = json.loads(out)
    assert summary["action"] == "follow"
    assert summary["events"] == notifications
    print(f"converged {converged:.2f} s after the writer's last commit")  # noqa: T201
