"""R36 on the web: a customer's dates, and scheduled changes listed and cancelled.

Customer A (1002) is quarterly from 2024-05-01 (R1): on the business date
2025-08-15 the period is 2025-08-01..2025-10-31 and the next 2025-11-01..2026-01-31,
so a customer may date company details from 2025-08-15 to 2026-01-31.
"""

from __future__ import annotations

from severa_ledger import Ledger
from tests.conftest import stored_log
from tests.web.conftest import CUSTOMER_A, TODAY, TestClient

A = CUSTOMER_A
COMPANY = f"/api/v1/subscriptions/{A}/company"
SCHEDULED = f"/api/v1/subscriptions/{A}/scheduled"
REMOVAL = "removal:2025-11-01:user"


def _free_and_remove_a_seat(client: TestClient, demo: Ledger, headers: dict[str, str]) -> None:
    """Deactivate one of A's four users, removing the seat: scheduled for 2025-11-01 (R4)."""
    user = min(demo.subscription(A).users)  # type: ignore[union-attr]
    answer = client.post(
        f"/api/v1/subscriptions/{A}/users/{user}/deactivate",
        json={"remove_license": True},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text


def test_a_customer_dates_company_details_up_to_the_end_of_the_next_period(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R36: 2026-01-31 is the last day of the next period: accepted, and scheduled."""
    answer = client.post(COMPANY, json={"city": "Bergen", "on": "2026-01-31"}, headers=customer_a)
    assert answer.status_code == 200, answer.text
    changes = client.get(SCHEDULED, headers=customer_a).json()["items"]
    assert [(c["id"], c["takes_effect"]) for c in changes] == [("company:2026-01-31", "2026-01-31")]


def test_a_customer_may_not_date_company_details_outside_the_window(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R36: the day after the next period, or yesterday, is refused (403) and records nothing."""
    before = stored_log(demo)
    for day in ("2026-02-01", "2025-08-14"):
        answer = client.post(COMPANY, json={"city": "Bergen", "on": day}, headers=customer_a)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"] == "DateNotAllowedError"
        assert "from 2025-08-15 to 2026-01-31" in answer.json()["detail"]
    assert stored_log(demo) == before


def test_a_customer_lists_and_cancels_a_scheduled_removal(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R4, R6, R36: a seat freed on 2025-08-15 drops at 2025-11-01 until it is cancelled."""
    _free_and_remove_a_seat(client, demo, customer_a)
    (change,) = client.get(SCHEDULED, headers=customer_a).json()["items"]
    assert (change["id"], change["kind"], change["takes_effect"]) == (
        REMOVAL,
        "removal",
        "2025-11-01",
    )
    assert demo.license_counts(A, as_of=TODAY)["user"].pending_removal == 1
    cancel = client.post(f"{SCHEDULED}/{REMOVAL}/cancel", json={}, headers=customer_a)
    assert cancel.status_code == 200, cancel.text
    assert client.get(SCHEDULED, headers=customer_a).json()["items"] == []
    counts = client.get(f"/api/v1/subscriptions/{A}/licenses", headers=customer_a).json()
    assert counts["kinds"]["user"]["pending_removal"] == 0
    assert counts["kinds"]["user"]["licenses"] == 4


def test_another_customer_neither_sees_nor_cancels_scheduled_changes(
    client: TestClient, demo: Ledger, customer_a: dict[str, str], customer_b: dict[str, str]
) -> None:
    """Scoping: customer B gets 404 for A's list and A's cancellation; nothing recorded."""
    _free_and_remove_a_seat(client, demo, customer_a)
    before = stored_log(demo)
    assert client.get(SCHEDULED, headers=customer_b).status_code == 404
    assert (
        client.post(f"{SCHEDULED}/{REMOVAL}/cancel", json={}, headers=customer_b).status_code == 404
    )
    assert stored_log(demo) == before


def test_cancelling_an_unknown_change_is_refused_naming_it(
    client: TestClient, demo: Ledger, customer_a: dict[str, str]
) -> None:
    """R36: an id that names no scheduled change: 422 ScheduledChangeNotFoundError."""
    before = stored_log(demo)
    answer = client.post(f"{SCHEDULED}/prices:2030-01-01/cancel", json={}, headers=customer_a)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "ScheduledChangeNotFoundError"
    assert "prices:2030-01-01" in answer.json()["detail"]
    assert stored_log(demo) == before
