"""The ``deliveries`` read model: listings and ``deliver``'s choice read it, not the whole log (R35)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from severa_ledger import Ledger
from severa_ledger.audit.readmodels import check_read_models
from severa_ledger.delivery.queries import deliveries, ready_deliveries
from severa_ledger.delivery.runner import deliver
from severa_ledger.domain.delivery import DUE, FAILED, LEASE, SENT
from severa_ledger.projections.deliveries import DELIVERIES
from tests.delivery.scenario import bill_one_customer, sending
from tests.delivery.servers import SmtpServer

#: The run's clock: 2025-03-10 09:00 UTC.
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)


def _delivered(ledger: Ledger, outbox: Path) -> None:
    """C1 billed; on 2025-03-10 e-mail refuses C1-2 once (4xx), everything else due goes."""
    with SmtpServer() as smtp:
        bill_one_customer(ledger)
        smtp.mailbox.reply = lambda m: "451 try later" if "C1-2" in str(m["Subject"]) else None
        deliver(ledger, sending(smtp.url, outbox, now=NOW), today=date(2025, 3, 10))


def test_r35_the_read_model_lists_what_folding_the_log_lists(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R35: every filter answers the same from the read model as from the events, in log order."""
    filters: list[dict[str, str]] = [
        {},
        {"status": SENT},
        {"status": FAILED},
        {"status": DUE},
        {"customer_number": "C1"},
        {"document": "VSOY-000001"},
        {"status": SENT, "document": "VSOY-000001"},
    ]
    with Ledger.open(store_url) as ledger:
        _delivered(ledger, tmp_path)
        modelled = [deliveries(ledger, **f) for f in filters]  # type: ignore[arg-type]
        rows = ledger.read_models.rows("deliveries")[DELIVERIES.name]
        ready = ready_deliveries(ledger, date(2025, 6, 30), NOW, LEASE)
        monkeypatch.setattr(ledger, "read_models_enabled", False)
        folded = [deliveries(ledger, **f) for f in filters]  # type: ignore[arg-type]
        assert ready == ready_deliveries(ledger, date(2025, 6, 30), NOW, LEASE)
        assert check_read_models(ledger).findings == ()
    assert modelled == folded
    # by hand: C1-1, C1-2, C1-3 by e-mail; invoices 1-3 by e-mail and Peppol = 9 rows
    assert sorted(r.ordinal for r in rows) == list(range(1, 10))
    sent = {(v.document, v.channel) for v in modelled[1]}
    assert sent == {("C1-1", "email"), ("VSOY-000001", "email"), ("VSOY-000001", "peppol")}
    assert [(v.document, v.attempts) for v in modelled[2]] == [("C1-2", 1)]
    # ready on 2025-06-30 (clock still 03-10 09:00): the never-tried ones; C1-2's retry is
    # due 1 minute after its failure at 09:00 (R35 back-off), so it is not ready yet.
    assert sorted(v.document for v in ready) == sorted(
        ["C1-3", "VSOY-000002", "VSOY-000002", "VSOY-000003", "VSOY-000003"]
    )


def test_r35_a_read_model_edited_by_hand_is_found_by_verify(tmp_path: Path) -> None:
    """R35: a delivery row marked sent in SQL disagrees with its events: verify names it."""
    url = f"sqlite:///{tmp_path}/ledger.db"
    with Ledger.open(url) as ledger:
        _delivered(ledger, tmp_path)
        deliveries(ledger)  # the read model caught up
    import sqlite3  # noqa: PLC0415 -- only this test edits the file

    with sqlite3.connect(tmp_path / "ledger.db") as connection:
        connection.execute(
            "UPDATE severa_ledger_deliveries SET status = 'sent' WHERE status = 'failed'"
        )
    with Ledger.open(url) as ledger:
        findings = check_read_models(ledger).findings
    assert [(f.projection, f.table) for f in findings] == [("deliveries", DELIVERIES.name)]
