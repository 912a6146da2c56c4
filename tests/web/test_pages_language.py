"""The customer's page names kinds and countries in its language (issue 24, item 6).

The seed's 1002 (a Norwegian buyer) holds user licenses; its orders are
renewals (R13) and the 2025-06-05 addition (R14). The stored names stay
English; the page translates them: user is "bruker", renewal "fornyelse",
addition "tillegg", NO "Norge" in bokmål.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.web.pages_support import build_app, client, demo_ledger, new_keys, sign_in


@pytest.fixture
def world() -> Iterator[tuple]:
    ledger = demo_ledger()
    keys = new_keys()
    yield ledger, keys, build_app(ledger, keys.store)
    ledger.close()


def _section(html: str, section: str) -> str:
    found = re.search(
        rf'<section class="card[^"]*" id="{section}">(.*?)</section>', html, re.DOTALL
    )
    assert found, f"no section {section}"
    return found.group(1)


def _words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _page(world, lang: str) -> str:
    _, keys, app = world
    browser = client(app)
    sign_in(browser, keys.customer("1002"))
    return browser.get(f"/c/1002?lang={lang}").text


def test_bokmal_page_names_kinds_order_kinds_and_the_country_in_bokmal(world):
    """In nb: 'bruker' for user licenses, 'fornyelse'/'tillegg' for orders, 'Norge' for NO."""
    html = _page(world, "nb")
    assert " bruker " in _words(_section(html, "licenses"))
    orders = _words(_section(html, "orders"))
    assert " fornyelse " in orders
    assert " tillegg " in orders
    assert "renewal" not in orders
    assert 'value="Norge" disabled' in _section(html, "company")


def test_a_kind_choice_posts_the_kind_code_whatever_the_language(world):
    """The buy form shows 'bruker' but sends 'user': the stored kind never changes."""
    assert '<option value="user">bruker</option>' in _section(_page(world, "nb"), "buy")
    assert '<option value="user">user</option>' in _section(_page(world, "en"), "buy")


def test_english_page_keeps_the_stored_names(world):
    """In en: 'user', 'renewal' and 'Norway' (Babel's English name of NO)."""
    html = _page(world, "en")
    assert " user " in _words(_section(html, "licenses"))
    assert " renewal " in _words(_section(html, "orders"))
    assert 'value="Norway" disabled' in _section(html, "company")
