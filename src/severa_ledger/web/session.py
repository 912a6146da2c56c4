"""The browser session: a signed, HttpOnly, SameSite cookie naming the signed-in key.

The cookie holds the key's id (never the key), the customer it is scoped to,
the page language and a random per-session nonce from which the CSRF token is
derived (:mod:`severa_ledger.web.csrf`). It is signed with the app's secret
(itsdangerous) and expires after :data:`MAX_AGE` seconds; every page request
checks again that the key still exists and is not revoked.
"""

from __future__ import annotations

import secrets

import attrs
from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from severa_ledger.web.auth import Principal

COOKIE = "severa_session"
#: A session lasts eight hours from its last sign-in or language change.
MAX_AGE = 8 * 60 * 60
_SALT = "severa-ledger/session"


@attrs.frozen
class Session:
    """What the cookie carries: a nonce, and once signed in, the key's id and scope."""

    nonce: str = attrs.field(factory=lambda: secrets.token_urlsafe(24))
    key_id: str | None = None
    customer_number: str | None = None
    lang: str | None = None

    @property
    def signed_in(self) -> bool:
        """Return whether a key has signed in on this session."""
        return self.key_id is not None

    def for_principal(self, principal: Principal) -> Session:
        """Return a new session (a fresh nonce) signed in as ``principal``."""
        return Session(key_id=principal.key_id, customer_number=principal.customer_number,
                       lang=self.lang)  # fmt: skip


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret: bytes = request.app.state.secret
    return URLSafeTimedSerializer(secret, salt=_SALT)


def read_session(request: Request) -> Session:
    """Return the request's session, or a new anonymous one (not yet sent)."""
    cached = request.scope.get("severa.session")
    if isinstance(cached, Session):
        return cached
    session = Session()
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer(request).loads(raw, max_age=MAX_AGE)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("n"), str):
            session = Session(nonce=data["n"], key_id=data.get("k"),
                              customer_number=data.get("c"), lang=data.get("l"))  # fmt: skip
    request.scope["severa.session"] = session
    return session


def save_session(request: Request, response: Response, session: Session) -> None:
    """Send ``session`` as the signed cookie (Secure when the request came over https)."""
    data = {"n": session.nonce, "k": session.key_id, "c": session.customer_number,
            "l": session.lang}  # fmt: skip
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(data),
        max_age=MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    request.scope["severa.session"] = session


def end_session(response: Response) -> None:
    """Drop the session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def login_redirect() -> HTTPException:
    """Return the refusal of a page asked without a session: 303 to the login page."""
    return HTTPException(status_code=303, detail="log in first", headers={"Location": "/login"})


def signed_in(request: Request) -> tuple[Session, Principal]:
    """Return the session and its principal, whose key must still be valid; else refuse."""
    session = read_session(request)
    if session.key_id is None:
        raise login_redirect()
    if not key_is_valid(request, session.key_id, session.customer_number):
        raise login_redirect()
    return session, Principal(session.key_id, session.customer_number)


def key_is_valid(request: Request, key_id: str, customer_number: str | None) -> bool:
    """Return whether the key exists, is not revoked, and still has the session's scope."""
    found = request.app.state.keys.principal(key_id)
    return found is not None and found.customer_number == customer_number
