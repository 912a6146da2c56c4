"""The Delivery aggregate: once per document and channel, attempts, back-off, dead (R35)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from severa_ledger import Ledger
from severa_ledger.domain.delivery import (
    DEAD,
    EMAIL,
    FAILED,
    INVOICE,
    MAX_ATTEMPTS,
    SENDING,
    SENT,
    Delivery,
    delivery_id,
)
from severa_ledger.domain.delivery_errors import DeliveryNotReadyError

NOW = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


def _due(sequence: int = 1, due: date = date(2025, 6, 2)) -> Delivery:
    return Delivery.due(
        INVOICE,
        "VSOY-000001",
        "C1",
        EMAIL,
        recipient="faktura@example.no",
        due_date=due,
        sequence=sequence,
    )


def test_r35_a_delivery_is_recorded_once_per_document_channel_and_recipient() -> None:
    """R35: recording the same delivery twice conflicts in the store; sequence 2 is a new one."""
    with Ledger.open("memory://") as ledger:
        ledger.save(_due())
        with pytest.raises(IntegrityError):
            ledger.save(_due())
        ledger.save(_due(sequence=2))
        again: Delivery = ledger.repository.get(_due().id)
    assert again.message_id == str(delivery_id(INVOICE, "VSOY-000001", EMAIL, again.recipient, 1))
    assert _due(sequence=2).message_id != again.message_id


def test_r35_an_invoice_is_not_attempted_before_its_issue_date() -> None:
    """R35: a delivery due on 2025-06-02 is not ready on 2025-06-01, ready on 2025-06-02."""
    delivery = _due()
    assert not delivery.ready(date(2025, 6, 1), NOW)
    with pytest.raises(DeliveryNotReadyError):
        delivery.start(date(2025, 6, 1), NOW)
    assert delivery.start(date(2025, 6, 2), NOW) == 1
    assert delivery.status == SENDING


def test_failures_back_off_1_4_16_64_256_minutes_then_dead() -> None:
    """Failed attempts wait 1, 4, 16, 64, 256 minutes; the sixth failure makes it dead."""
    delivery, now, waits = _due(), NOW, []
    for _ in range(MAX_ATTEMPTS - 1):
        delivery.start(date(2025, 6, 2), now)
        delivery.fail(now, "421 try later")
        assert delivery.status == FAILED
        assert delivery.next_attempt is not None
        waits.append(delivery.next_attempt - now)
        assert not delivery.ready(date(2025, 6, 2), delivery.next_attempt - timedelta(seconds=1))
        now = delivery.next_attempt
    assert waits == [timedelta(minutes=m) for m in (1, 4, 16, 64, 256)]
    delivery.start(date(2025, 6, 2), now)
    delivery.fail(now, "421 try later")
    assert delivery.status == DEAD
    assert not delivery.ready(date(2099, 1, 1), now + timedelta(days=365))


def test_an_abandoned_attempt_is_retried_after_the_lease_with_the_same_message_id() -> None:
    """An attempt with no outcome (its runner died) is retried after the lease, same id."""
    delivery = _due()
    delivery.start(date(2025, 6, 2), NOW)
    assert not delivery.ready(date(2025, 6, 2), NOW + timedelta(minutes=4))
    assert delivery.start(date(2025, 6, 2), NOW + timedelta(minutes=5)) == 2
    delivery.succeed(NOW + timedelta(minutes=5), "250 OK")
    assert delivery.status == SENT
    assert not delivery.ready(date(2025, 6, 2), NOW + timedelta(days=1))
