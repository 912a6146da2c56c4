"""The customer's page: quotes, purchases, removals, users, company details, terms, documents.

Expected amounts are worked by hand from the rules: the seed's customer 1002
(quarterly, 100.00 NOK a month, period 2025-05-01..2025-07-31) buying one user
license on 2025-06-05 pays 57/92 of 300.00 = 185.87 NOK (R9); its next period
(2025-08-01..2025-10-31) costs licenses x 3 x 100.00, reverse charged at 0 %
by Visma Solutions Oy to a Norwegian business (R27, R28).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from severa_ledger.domain.values import TermsAcceptance
from severa_ledger.web.pages_common import TERMS_VERSION
from tests.web.pages_support import (
    FRESH,
    TODAY,
    build_app,
    client,
    demo_ledger,
    form,
    new_keys,
    position,
    sign_in,
)


@pytest.fixture
def world() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    yield ledger, keys, build_app(ledger, keys.store)
    ledger.close()


def _signed_in(world, customer: str):
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer(customer))
    return browser


def test_the_quote_shows_the_prorated_cost_of_the_rest_of_the_period_and_records_nothing(world):
    """1002 quoting 1 user license on 2025-06-05 sees 185.87 NOK (R9, R14); nothing is stored."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    before = position(ledger)
    data = form(browser, "/c/1002?lang=en", kind="user", quantity="1")
    fragment = browser.post("/c/1002/buy/quote", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "2025-06-05 \u2013 2025-07-31" in fragment.text
    assert 'id="quote-net">185.87 NOK<' in fragment.text
    assert "57/92 x 3 months x 100.00 = 185.8695... -&gt; 185.87 (actual days, half-up)" in (
        fragment.text
    )  # issue 19: the amount explains itself
    assert "<html" not in fragment.text  # htmx gets the fragment only
    assert position(ledger) == before


def test_the_quote_without_htmx_is_the_whole_page_in_norwegian_by_default(world):
    """Without htmx the quote comes in the page; a Norwegian buyer reads bokmål: 185,87 NOK."""
    browser = _signed_in(world, "1002")
    data = form(browser, "/c/1002", kind="user", quantity="2")
    page = browser.post("/c/1002/buy/quote", data=data)
    assert page.status_code == 200
    assert "Bekreft kjøpet" in page.text
    assert 'id="quote-net">371,74 NOK<' in page.text  # 2 x 185.87
    assert "57/92 x 3 måneder x 100,00 = 185,8695..." in page.text


def test_buying_records_the_addition_once_even_when_the_form_is_sent_twice(world):
    """Confirming twice with the same form nonce records one purchase (exactly once)."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    data = form(browser, "/c/1002", kind="user", quantity="1")
    orders = len(ledger.orders("1002"))
    first = browser.post("/c/1002/buy", data=data, follow_redirects=False)
    again = browser.post("/c/1002/buy", data=data, follow_redirects=False)
    assert (first.status_code, again.status_code) == (303, 303)
    assert ledger.license_counts("1002", as_of=TODAY)["user"].licenses == 5  # 4 + 1, once
    added = ledger.orders("1002")[orders:]
    assert [(o.kind, o.date, o.net) for o in added] == [("addition", TODAY, Decimal("185.87"))]


def test_the_upcoming_cost_follows_a_purchase_and_a_deactivation_that_removes_the_seat(world):
    """Next period: 4 x 300.00 = 1,200.00; after buying one 1,500.00; after removing one 1,200.00."""
    browser = _signed_in(world, "1002")
    assert "1,200.00 NOK" in browser.get("/c/1002?lang=en").text
    browser.post("/c/1002/buy", data=form(browser, "/c/1002", kind="user", quantity="1"))
    assert 'id="upcoming-total"><strong>1,500.00 NOK' in browser.get("/c/1002").text
    data = form(browser, "/c/1002", user_id="per", remove_license="yes")
    done = browser.post("/c/1002/users/deactivate", data=data)
    assert done.status_code == 200
    assert 'id="upcoming-total"><strong>1,200.00 NOK' in done.text
    assert 'data-user="per"' not in done.text


def test_a_refused_command_shows_the_ledgers_message_and_records_nothing(world):
    """Removing a license used by an active user is refused (R5): 422, the message, no change."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    before = position(ledger)
    data = form(browser, "/c/1002?lang=en", kind="user", quantity="1")
    answer = browser.post("/c/1002/remove", data=data)
    assert answer.status_code == 422
    assert 'role="alert"' in answer.text
    assert "active users" in answer.text
    assert "Traceback" not in answer.text
    assert position(ledger) == before


def test_a_removal_says_when_it_takes_effect(world):
    """With a free seat, a removal is scheduled for the next period start, 2025-08-01 (R4)."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    browser.post("/c/1002/buy", data=form(browser, "/c/1002", kind="user", quantity="1"))
    done = browser.post("/c/1002/remove", data=form(browser, "/c/1002?lang=en", kind="user",
                                                    quantity="1"))  # fmt: skip
    assert "The removal takes effect on 2025-08-01." in done.text
    assert ledger.license_counts("1002", as_of=TODAY)["user"].pending_removal == 1


def test_activating_a_user_with_no_free_seat_buys_one_in_the_same_step(world):
    """1002 has no free seat: activating 'ida' with buy_if_needed buys a fifth license (R5)."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    data = form(browser, "/c/1002", user_id="ida", kind="user", buy_if_needed="yes")
    browser.post("/c/1002/users/activate", data=data)
    counts = ledger.license_counts("1002", as_of=TODAY)["user"]
    assert (counts.licenses, counts.active_users, counts.free) == (5, 5, 0)


def test_activating_without_a_free_seat_and_without_buying_is_refused(world):
    """Without buy_if_needed the ledger's refusal is shown (R5) and nothing is recorded."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    before = position(ledger)
    answer = browser.post("/c/1002/users/activate",
                          data=form(browser, "/c/1002", user_id="ida", kind="user"))  # fmt: skip
    assert answer.status_code == 422
    assert position(ledger) == before


def test_an_invalid_organisation_number_is_refused_with_the_ledgers_message(world):
    """R26: 123456789 fails MOD11; the page shows the ledger's words and records nothing."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    before = position(ledger)
    data = form(browser, "/c/1002", org_number="123456789", effective="2025-06-05")
    answer = browser.post("/c/1002/company", data=data)
    assert answer.status_code == 422
    assert "invalid Norwegian organisation number (MOD11) &#39;123456789&#39;" in answer.text
    assert position(ledger) == before


def test_company_details_change_from_their_effective_date(world):
    """A new street from 2025-07-01 is recorded with that date (R26)."""
    ledger, _, _ = world
    browser = _signed_in(world, "1002")
    data = form(browser, "/c/1002", street="Bryggen 7", effective="2025-07-01")
    assert browser.post("/c/1002/company", data=data, follow_redirects=False).status_code == 303
    change = ledger.history("1002")[-1]
    assert (change.type, change.effective_date) == (
        "CompanyDetailsChanged",
        TODAY.replace(month=7, day=1),
    )
    assert ledger.subscription("1002").company.street == "Bryggen 7"


def test_after_migration_every_change_waits_for_the_terms_and_is_refused_server_side(world):
    """R25: 3001 must accept first: forms are disabled, a forged post is 403 and records nothing."""
    ledger, _, _ = world
    browser = _signed_in(world, FRESH)
    page = browser.get(f"/c/{FRESH}").text
    assert TERMS_VERSION in page
    assert page.count("<fieldset disabled>") >= 5
    before = position(ledger)
    for path, fields in (("buy", {"kind": "user", "quantity": "1"}),
                         ("users/deactivate", {"user_id": "odd"}),
                         ("company", {"city": "Sandnes", "effective": "2025-06-05"})):  # fmt: skip
        answer = browser.post(f"/c/{FRESH}/{path}", data=form(browser, f"/c/{FRESH}", **fields))
        assert answer.status_code == 403, path
    assert position(ledger) == before


def test_the_operator_may_change_a_subscription_whose_terms_await_the_customer(world):
    """R25 holds the customer, not the billing team: the operator buys for 3001 (as the API)."""
    ledger, keys, app = world
    browser = client(app)
    sign_in(browser, keys.operator)
    page = browser.get(f"/c/{FRESH}?lang=en").text
    assert "<fieldset disabled>" not in page
    data = form(browser, f"/c/{FRESH}", kind="user", quantity="1")
    answer = browser.post(f"/c/{FRESH}/buy", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    assert ledger.license_counts(FRESH, as_of=TODAY)["user"].licenses == 4
    assert ledger.terms_acceptance_required(FRESH, as_of=TODAY)


def test_accepting_the_terms_records_version_who_and_when_and_opens_the_page(world):
    """The acceptance names the version, the person and the key, and today's date (R25)."""
    ledger, keys, _ = world
    browser = _signed_in(world, FRESH)
    data = form(browser, f"/c/{FRESH}", accept="yes", accepted_by="Siv Berg")
    assert browser.post(f"/c/{FRESH}/terms", data=data, follow_redirects=False).status_code == 303
    key_id = keys.customer(FRESH).split("_")[1]
    accepted = ledger.subscription(FRESH).terms[-1]
    assert accepted == TermsAcceptance(TERMS_VERSION, f"Siv Berg (key {key_id})", TODAY)
    assert not ledger.terms_acceptance_required(FRESH, as_of=TODAY)
    assert "<fieldset disabled>" not in browser.get(f"/c/{FRESH}").text


def test_the_terms_are_not_accepted_without_the_tick_and_a_name(world):
    """An acceptance without the box ticked is refused and records nothing."""
    ledger, _, _ = world
    browser = _signed_in(world, FRESH)
    before = position(ledger)
    answer = browser.post(f"/c/{FRESH}/terms",
                          data=form(browser, f"/c/{FRESH}", accepted_by="Siv Berg"))  # fmt: skip
    assert answer.status_code == 422
    assert position(ledger) == before


def test_invoices_are_listed_with_status_and_download_as_pdf_and_ehf(world):
    """1002's paid renewal VSOY-000004 shows 'betalt' and downloads as PDF and EHF XML."""
    browser = _signed_in(world, "1002")
    page = browser.get("/c/1002").text
    assert 'data-invoice="VSOY-000004"' in page
    assert "betalt" in page
    pdf = browser.get("/c/1002/invoices/VSOY-000004.pdf")
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    xml = browser.get("/c/1002/invoices/VSOY-000004.xml")
    assert xml.status_code == 200
    assert b"<cbc:ID>VSOY-000004</cbc:ID>" in xml.content
    assert browser.get("/c/1002/orders/1.pdf").content.startswith(b"%PDF")


def test_a_refused_quote_comes_back_to_htmx_as_a_message(world):
    """htmx swaps only a 200: a refused quote (quantity 0) is a 200 fragment with the message."""
    browser = _signed_in(world, "1002")
    data = form(browser, "/c/1002", kind="user", quantity="0")
    fragment = browser.post("/c/1002/buy/quote", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert fragment.text.startswith('<p class="notice error" role="alert">')
    assert "quantity" in fragment.text
    without_htmx = browser.post("/c/1002/buy/quote", data=form(browser, "/c/1002", kind="user",
                                                                quantity="0"))  # fmt: skip
    assert without_htmx.status_code == 422
