"""The browser session: a signed, HttpOnly, SameSite cookie naming a server-side session.

The cookie holds a random per-browser nonce from which the CSRF token is
derived (:mod:`severa_ledger.web.csrf`), the page language and, once signed in,
the session's id. It is signed with the app's secret (itsdangerous). Being
signed in is a row of the key store's session table (only the id's digest is
kept, :meth:`~severa_ledger.web.keys.KeyStore.session`): logout deletes it,
revoking the key deletes it, and it ends :attr:`SessionLimits.idle` after its
last request and :attr:`SessionLimits.absolute` after it began. A copied cookie
is refused after any of these; a cookie alone, without the row, signs nobody in.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import attrs
from fastapi import HTTPException, Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from severa_ledger.web.auth import Principal
from severa_ledger.web.keys import KeyStore, SessionLimits

COOKIE = "severa_session"
_SALT = "severa-ledger/session"


@attrs.frozen
class Session:
    """What the cookie carries: a nonce, the language, and once signed in, the session id."""

    nonce: str = attrs.field(factory=lambda: secrets.token_urlsafe(24))
    session_id: str | None = None
    lang: str | None = None


def _serializer(request: Request) -> URLSafeTimedSerializer:
    secret: bytes = request.app.state.secret
    return URLSafeTimedSerializer(secret, salt=_SALT)


def _limits(request: Request) -> SessionLimits:
    limits: SessionLimits = request.app.state.session_limits
    return limits


def _now(request: Request) -> datetime:
    now: datetime = request.app.state.now()
    return now


def _keys(request: Request) -> KeyStore:
    keys: KeyStore = request.app.state.keys
    return keys


def read_session(request: Request) -> Session:
    """Return the request's session, or a new anonymous one (not yet sent)."""
    cached = request.scope.get("severa.session")
    if isinstance(cached, Session):
        return cached
    session = Session()
    raw = request.cookies.get(COOKIE)
    max_age = int(_limits(request).absolute.total_seconds())
    if raw:
        try:
            data = _serializer(request).loads(raw, max_age=max_age)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("n"), str):
            sid, lang = data.get("s"), data.get("l")
            session = Session(
                nonce=data["n"],
                session_id=sid if isinstance(sid, str) else None,
                lang=lang if isinstance(lang, str) else None,
            )
    request.scope["severa.session"] = session
    return session


def save_session(request: Request, response: Response, session: Session) -> None:
    """Send ``session`` as the signed cookie (Secure when the request came over https)."""
    data = {"n": session.nonce, "s": session.session_id, "l": session.lang}
    response.set_cookie(
        COOKIE,
        _serializer(request).dumps(data),
        max_age=int(_limits(request).absolute.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    request.scope["severa.session"] = session


def start_session(request: Request, principal: Principal) -> Session:
    """Return a new session (a fresh nonce, so a fresh CSRF token) signed in as ``principal``."""
    old = read_session(request)
    if old.session_id is not None:
        _keys(request).end_session(old.session_id)
    sid = _keys(request).start_session(principal, now=_now(request), limits=_limits(request))
    return Session(session_id=sid, lang=old.lang)


def end_session(request: Request, response: Response) -> None:
    """End the request's session on the server and drop its cookie."""
    session = read_session(request)
    if session.session_id is not None:
        _keys(request).end_session(session.session_id)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def login_redirect() -> HTTPException:
    """Return the refusal of a page asked without a session: 303 to the login page."""
    return HTTPException(status_code=303, detail="log in first", headers={"Location": "/login"})


def signed_in(request: Request) -> tuple[Session, Principal]:
    """Return the session and its principal while the session lasts; else refuse (to /login)."""
    session = read_session(request)
    if session.session_id is None:
        raise login_redirect()
    found = _keys(request).session(session.session_id, now=_now(request), limits=_limits(request))
    if found is None:
        raise login_redirect()
    return session, found
