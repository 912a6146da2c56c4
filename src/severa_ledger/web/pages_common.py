"""What every page shares: the signed-in visit, scoping, form reading, rendering.

A page handler asks for a :class:`Visit` (a GET) or a posted one (CSRF checked,
the form read), calls the ledger and renders a template with :func:`render`.
Scoping lives here: a customer's session sees only its own customer (anything
else is 404, as if it did not exist), operator pages refuse customers (404).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path
from typing import Any

import attrs
from babel.numbers import format_decimal
from fastapi import HTTPException, Request, Response
from fastapi.templating import Jinja2Templates

from severa_ledger.documents.wording import country_name, kind_name, order_kind_name
from severa_ledger.domain.errors import InvalidValueError, LedgerError, SubscriptionNotFoundError
from severa_ledger.domain.subscription import Subscription
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.web.auth import Principal
from severa_ledger.web.csrf import check_csrf, csrf_token
from severa_ledger.web.form_fields import field
from severa_ledger.web.pages_text import TEXTS, page_language
from severa_ledger.web.session import Session, read_session, save_session, signed_in

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.globals["field"] = field  # input attributes from the command catalogue
# the stored English names in the page's language: license and order kinds, countries
TEMPLATES.env.globals.update(
    kind_name=kind_name, order_kind_name=order_kind_name, country_name=country_name
)
#: The per-form nonce a command id is derived from: URL-safe, long enough not to collide.
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: The terms of service the new seller asks to accept after migration (R25).
TERMS_VERSION = "Visma Solutions Oy terms of service 2025"


def not_found() -> HTTPException:
    """Return the refusal of anything outside the session's scope: it does not exist."""
    return HTTPException(status_code=404, detail="not found")


@attrs.frozen
class Visit:
    """One request of a signed-in principal: the ledger, the business date, the words."""

    request: Request
    session: Session
    principal: Principal
    lang: str
    form: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def ledger(self) -> Ledger:
        """Return the app's ledger."""
        ledger: Ledger = self.request.app.state.ledger
        return ledger

    @property
    def today(self) -> date:
        """Return the request's business date (the app's clock, never the page's own)."""
        today: date = self.request.app.state.today()
        return today

    @property
    def text(self) -> Mapping[str, str]:
        """Return the page's words in its language."""
        return TEXTS[self.lang]

    def field(self, name: str, default: str = "") -> str:
        """Return a posted field, stripped."""
        return str(self.form.get(name, default)).strip()


def latest(request: Request, customer: str) -> Subscription:
    """Return the customer's subscription as recorded, loaded once per request (read only)."""
    loaded: dict[str, Subscription] = request.scope.setdefault("severa.subscriptions", {})
    if customer not in loaded:
        sub = request.app.state.ledger.subscription(customer)
        if sub is None:  # pragma: no cover -- without as_of it is found or raised
            raise SubscriptionNotFoundError(f"no subscription for customer {customer!r}")
        loaded[customer] = sub
    return loaded[customer]


def _country(request: Request, customer: str | None) -> str | None:
    if customer is None:
        return None
    try:
        return latest(request, customer).company.country
    except LedgerError:
        return None


def visit(request: Request, customer: str | None = None) -> Visit:
    """Return the signed-in visit (refused with a redirect to /login without a session)."""
    session, principal = signed_in(request)
    if customer is not None and not principal.may_see(customer):
        raise not_found()
    asked = request.query_params.get("lang")
    country = _country(request, customer or principal.customer_number)
    lang = page_language(asked, session.lang, country)
    return Visit(request, session, principal, lang)


def customer_visit(request: Request, customer: str) -> Visit:
    """Return a visit to ``customer``'s page: in scope and an existing subscription, else 404."""
    found = visit(request, customer)
    try:
        latest(request, customer)
    except SubscriptionNotFoundError:
        raise not_found() from None
    return found


def operator_visit(request: Request) -> Visit:
    """Return a visit to an operator page; a customer's session gets 404."""
    found = visit(request)
    if not found.principal.is_operator:
        raise not_found()
    return found


async def posted(request: Request, customer: str | None = None, *, operator: bool = False) -> Visit:
    """Return a posted visit: CSRF checked first, then scope, then the form read."""
    form = await request.form()
    check_csrf(request, read_session(request), form)
    if operator:
        found = operator_visit(request)
    elif customer is not None:
        found = customer_visit(request, customer)
    else:
        found = visit(request)
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    return attrs.evolve(found, form=fields)


def command_id(found: Visit, customer: str, action: str) -> str:
    """Return the command id of a form's submission, from its nonce: a resubmit records once."""
    nonce = found.field("nonce")
    if not _NONCE.fullmatch(nonce):
        raise InvalidValueError("the form has no valid nonce; reload the page and try again")
    return f"web/{customer}/{action}/{nonce}"


def money(amount: Decimal, currency: str, lang: str) -> str:
    """Return an amount with two decimals in the language's way, and its currency code."""
    locale = "nb_NO" if lang == "nb" else "en_GB"
    return f"{format_decimal(amount, format='#,##0.00', locale=locale)} {currency}"


def render(
    found: Visit | Request, template: str, context: Mapping[str, Any], status: int = 200
) -> Response:
    """Render a template with the shared context (words, CSRF token, a fresh form nonce)."""
    request = found.request if isinstance(found, Visit) else found
    session = found.session if isinstance(found, Visit) else read_session(request)
    lang = (
        found.lang
        if isinstance(found, Visit)
        else page_language(request.query_params.get("lang"), session.lang, None)
    )
    if request.query_params.get("lang") in TEXTS:
        session = attrs.evolve(session, lang=lang)
    shared = {
        "t": TEXTS[lang],
        "lang": lang,
        "other_lang": "en" if lang == "nb" else "nb",
        "csrf": csrf_token(request.app.state.secret, session),
        "nonce": secrets.token_urlsafe(18),
        "money": lambda amount, currency: money(amount, currency, lang),
        "principal": found.principal if isinstance(found, Visit) else None,
    }
    response = TEMPLATES.TemplateResponse(
        request, template, {**shared, **context}, status_code=status
    )
    response.headers["Cache-Control"] = "no-store"
    save_session(request, response, session)
    return response


#: Paths answered in JSON when refused (RFC 9457 problem details); every other path is a page.
API_PATHS = ("/api/", "/openapi.json", "/docs", "/redoc")


def is_page(request: Request) -> bool:
    """Whether ``request`` is for a page (its refusals are HTML pages, not JSON)."""
    return not request.url.path.startswith(API_PATHS)


def error_page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """Return a refusal of a page as an HTML page: the status, the reason, a way back."""
    context = {"status": status, "reason": HTTPStatus(status).phrase, "error": detail}
    response = render(request, "error.html", context, status)
    response.headers.update(headers or {})
    return response


def seller_name(ledger: Ledger, key: str) -> str:
    """Return a seller's name, or its key if the ledger does not know it."""
    seller = ledger.sellers.sellers.get(key)
    return seller.name if seller is not None else key


def refusal(error: LedgerError) -> str:
    """Return the message of a ledger refusal for the page (never a traceback)."""
    return str(error)
