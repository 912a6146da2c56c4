"""Delivery status on the pages and the API (R35): own documents only; failures re-sent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from severa_ledger import Ledger
from severa_ledger.delivery.queries import DeliveryView, deliveries
from severa_ledger.delivery.runner import Sending, deliver
from severa_ledger.delivery.transport import Parcel, TransportError
from tests.web.pages_support import (
    TODAY,
    build_app,
    client,
    demo_ledger,
    form,
    new_keys,
    position,
    sign_in,
)

SENT_AT = datetime(2025, 6, 5, 7, 30, tzinfo=UTC)


class Accepting:
    """E-mail accepted by the server."""

    channel = "email"

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Accept the message."""
        return f"250 queued {delivery.message_id} ({parcel.document})"


class Refusing:
    """A Peppol access point that refuses every document for good."""

    channel = "peppol"

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Refuse the document."""
        raise TransportError(
            f"unknown participant {delivery.recipient} ({parcel.kind})", permanent=True
        )


class Busy:
    """E-mail the server cannot take now (a transient failure: retried later)."""

    channel = "email"

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Refuse the message for now."""
        raise TransportError(f"451 busy ({parcel.document})")


@pytest.fixture(scope="module")
def sent() -> Iterator[Ledger]:
    """The pages' demo, its documents delivered: e-mails sent, Peppol dead."""
    ledger = demo_ledger()
    with_parcels = Sending({"email": Accepting(), "peppol": Refusing()}, lambda: SENT_AT)
    deliver(ledger, with_parcels, today=TODAY)
    yield ledger
    ledger.close()


def test_the_customer_page_shows_when_and_to_whom_its_documents_were_sent(sent: Ledger) -> None:
    """R35: 1002's page lists its e-mails with address and time, and none of 1001's documents."""
    keys = new_keys()
    browser = client(build_app(sent, keys.store))
    sign_in(browser, keys.customer("1002"))
    page = browser.get("/c/1002?lang=en").text
    own = [v for v in deliveries(sent, customer_number="1002") if v.channel == "email"]
    theirs = {v.document for v in deliveries(sent, customer_number="1001")}
    assert own
    for view in own:
        assert f'data-delivery="{view.id}"' in page
    assert own[0].recipient in page
    assert "2025-06-05 07:30 UTC" in page
    assert not any(
        f'data-delivery="{v.id}"' in page for v in deliveries(sent, customer_number="1001")
    )
    assert theirs.isdisjoint({v.document for v in own})


def test_the_api_lists_a_customers_own_deliveries_and_the_operators_all(sent: Ledger) -> None:
    """A customer key sees only its deliveries; the operator sees all, ?status=dead only dead."""
    keys = new_keys()
    api = client(build_app(sent, keys.store))
    mine = api.get(
        "/api/v1/deliveries", headers={"Authorization": f"Bearer {keys.customer('1002')}"}
    )
    everything = api.get("/api/v1/deliveries", headers={"Authorization": f"Bearer {keys.operator}"})
    dead = api.get(
        "/api/v1/deliveries?status=dead", headers={"Authorization": f"Bearer {keys.operator}"}
    )
    assert mine.status_code == everything.status_code == dead.status_code == 200
    assert {d["customer_number"] for d in mine.json()["items"]} == {"1002"}
    assert len(everything.json()["items"]) == len(deliveries(sent))
    assert {d["status"] for d in dead.json()["items"]} == {"dead"}
    assert {d["channel"] for d in dead.json()["items"]} == {"peppol"}
    assert all(d["error"].startswith("unknown participant") for d in dead.json()["items"])


def test_the_operator_page_lists_dead_deliveries_and_re_sends_one(sent: Ledger) -> None:
    """R35: a re-send from the page records one new delivery (sequence 2), due, not a duplicate."""
    keys = new_keys()
    browser = client(build_app(sent, keys.store))
    sign_in(browser, keys.operator)
    dead = deliveries(sent, status="dead")
    page = browser.get("/operator?lang=en").text
    assert all(f"/operator/deliveries/{v.id}/resend" in page for v in dead)
    target = dead[0]
    data = form(browser, "/operator?lang=en")
    answer = browser.post(f"/operator/deliveries/{target.id}/resend", data=data)
    again = browser.post(f"/operator/deliveries/{target.id}/resend", data=data)  # double submit
    assert (answer.status_code, again.status_code) == (200, 200)
    copies = deliveries(sent, document=target.document)
    resent = [v for v in copies if v.channel == target.channel and v.sequence == 2]
    assert len(resent) == 1
    assert (resent[0].status, resent[0].reason) == ("due", "resend")
    assert resent[0].message_id != target.message_id


def test_only_the_operator_re_sends_over_the_api(sent: Ledger) -> None:
    """A customer key is refused (403) and records nothing; an unknown id is 404."""
    keys = new_keys()
    api = client(build_app(sent, keys.store))
    target = deliveries(sent, status="dead", customer_number="1002")[0]
    before = position(sent)
    customer = {"Authorization": f"Bearer {keys.customer('1002')}"}
    assert api.post(f"/api/v1/deliveries/{target.id}/resend", headers=customer).status_code == 403
    assert position(sent) == before
    operator = {"Authorization": f"Bearer {keys.operator}"}
    missing = "00000000-0000-0000-0000-000000000001"
    assert api.post(f"/api/v1/deliveries/{missing}/resend", headers=operator).status_code == 404
    assert position(sent) == before
    made = api.post(f"/api/v1/deliveries/{target.id}/resend", headers=operator)
    assert made.status_code == 201
    assert len(made.json()["deliveries"]) == 1


def test_failed_deliveries_are_on_the_operator_page_and_in_the_customers_api_list() -> None:
    """R35: e-mails failing for now are listed for a re-send; ?status=failed keeps to the key."""
    ledger = demo_ledger()
    try:
        deliver(ledger, Sending({"email": Busy()}, lambda: SENT_AT), today=TODAY)
        failed = deliveries(ledger, status="failed")
        keys = new_keys()
        browser = client(build_app(ledger, keys.store))
        sign_in(browser, keys.operator)
        page = browser.get("/operator?lang=en").text
        api = client(build_app(ledger, keys.store))
        own = api.get(
            "/api/v1/deliveries?status=failed",
            headers={"Authorization": f"Bearer {keys.customer('1002')}"},
        ).json()["items"]
    finally:
        ledger.close()
    assert failed
    assert {v.channel for v in failed} == {"email"}
    assert all(f"/operator/deliveries/{v.id}/resend" in page for v in failed)
    expected = sorted(str(v.id) for v in failed if v.customer_number == "1002")
    assert expected
    assert sorted(d["id"] for d in own) == expected
    assert {(d["status"], d["attempts"]) for d in own} == {("failed", 1)}
