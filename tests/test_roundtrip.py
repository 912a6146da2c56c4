"""Every event type survives a save and a reload on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from severa_ledger import Ledger
from severa_ledger.domain.subscription import Subscription
from tests.conftest import open_customer

EVENT_TYPES = {
    "SubscriptionOpened", "LicensesBought", "LicenseRemovalScheduled", "UserActivated",
    "UserDeactivated", "CompanyDetailsChanged", "PricesChanged", "PeriodRolled",
    "PeriodRenewed", "OrderConfirmed", "MigrationScheduled", "TermsAccepted",
    "AccountOpened", "InvoiceIssued", "CreditNoteIssued", "PaymentRecorded",
    "SeriesOpened", "NumbersAssigned", "CommandRecorded",
}  # fmt: skip


def every_event(ledger: Ledger) -> None:
    """Record at least one event of every type."""
    open_customer(ledger, "R1", anchor=date(2024, 11, 1), regime="in_advance")
    ledger.activate_user("R1", "ola", on=date(2024, 11, 1), buy_if_needed=True)
    ledger.buy_licenses("R1", "user", 2, on=date(2024, 11, 4), command_id="rt-1")
    ledger.remove_licenses("R1", "user", 1, on=date(2024, 11, 5))
    ledger.deactivate_user("R1", "ola", on=date(2024, 11, 6))
    ledger.change_company_details("R1", on=date(2024, 11, 7), bank_account="NO6681014453075")
    ledger.change_prices("R1", {"user": "110.00"}, effective=date(2025, 5, 1), on=date(2024, 11, 8))
    ledger.schedule_migration("R1", cohort=date(2025, 5, 1), on=date(2024, 11, 9))
    ledger.accept_terms("R1", version="2025-04", accepted_by="cfo", on=date(2024, 11, 10))
    ledger.run_billing(through=date(2025, 5, 31))
    first = ledger.invoices("R1")[0].number
    ledger.record_payment(first, "100.00", on=date(2025, 5, 31))
    ledger.credit_invoice(ledger.invoices("R1")[1].number, reason="test", on=date(2025, 5, 31))


def test_every_event_type_round_trips(ledger: Ledger, store_url: str) -> None:
    """Decoding then encoding each stored event gives back its stored bytes."""
    every_event(ledger)
    notes = ledger.recorder.select_notifications(start=0, limit=100_000, inclusive_of_start=False)
    seen = set()
    for note in notes:
        event = ledger.mapper.to_domain_event(note)
        seen.add(type(event).__name__)
        again = ledger.mapper.to_stored_event(event)
        assert (again.topic, again.state) == (note.topic, note.state)
    assert seen == EVENT_TYPES


def test_reloaded_aggregates_equal_the_live_ones(ledger: Ledger, store_url: str) -> None:
    """Replay equality, and on a file or server store, a reopened ledger agrees too."""
    every_event(ledger)
    live = (ledger.subscription("R1"), ledger.account("R1"), ledger.invoices(), ledger.orders("R1"))
    history = ledger.history("R1")
    if store_url == "memory://":
        folded: Subscription | None = None
        for event in ledger.events.get(live[0].id):
            folded = event.mutate(folded)
        assert folded == live[0]
        return
    with Ledger.open(store_url) as reopened:
        assert reopened.subscription("R1") == live[0]
        assert reopened.account("R1") == live[1]
        assert reopened.invoices() == live[2]
        assert reopened.orders("R1") == live[3]
        assert [(h.type, h.effective_date, h.data) for h in reopened.history("R1")] == [
            (h.type, h.effective_date, h.data) for h in history
        ]


class OftenSnapshottedLedger(Ledger):
    """A ledger that snapshots every second event, to exercise the snapshot path."""

    snapshotting_intervals = dict.fromkeys(Ledger.snapshotting_intervals, 2)


def test_aggregates_from_snapshots_equal_aggregates_folded_from_events(tmp_path: object) -> None:
    """Snapshots (JSON of the aggregate's state) restore exactly what the events fold to."""
    with OftenSnapshottedLedger.open(f"sqlite:///{tmp_path}/snap.db") as ledger:
        every_event(ledger)
        for aggregate_id in (ledger.subscription("R1").id, ledger.account("R1").id):
            snapshots = list(ledger.snapshots.get(aggregate_id)) if ledger.snapshots else []
            assert snapshots, "no snapshot was taken"
            folded = None
            for event in ledger.events.get(aggregate_id):
                folded = event.mutate(folded)
            assert ledger.repository.get(aggregate_id) == folded
        as_of = ledger.license_counts("R1", as_of=date(2025, 2, 1))
        assert as_of["user"].licenses == 2


def test_the_store_keeps_its_name_whatever_the_class(pg_url: str) -> None:
    """PostgreSQL tables are named after the application: severa_ledger_events, always."""
    import psycopg  # noqa: PLC0415

    with OftenSnapshottedLedger.open(pg_url) as ledger:
        open_customer(ledger, "N1")
    schema = pg_url.rsplit("schema=", 1)[1]
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test") as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    assert {"severa_ledger_events", "severa_ledger_snapshots"} <= {r[0] for r in rows}
    assert Ledger.name == OftenSnapshottedLedger.name == "severa_ledger"


def test_stored_value_missing_a_required_field_is_refused_not_invented() -> None:
    """Decoding never fills a required field with a sentinel: it asks for an upcaster."""
    import pytest  # noqa: PLC0415

    from severa_ledger.domain.values import TermsAcceptance  # noqa: PLC0415
    from severa_ledger.store.transcodings import AttrsTranscoding  # noqa: PLC0415

    transcoding = AttrsTranscoding(TermsAcceptance, "severa_ledger.TermsAcceptance.v1")
    with pytest.raises(ValueError, match="accepted_by"):
        transcoding.decode({"version": "v"})
