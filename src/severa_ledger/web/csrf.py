"""CSRF protection for the pages: a per-session token in every form and htmx request.

The token is an HMAC of the session's nonce under the app's secret, so it is
never stored and changes with each sign-in. Forms carry it in a hidden field
``csrf_token``; htmx requests in the ``X-CSRF-Token`` header (set by
``hx-headers`` on the page's body). Every POST is refused (403) without it,
before anything is read or recorded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from fastapi import HTTPException, Request

from severa_ledger.web.session import Session

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token(secret: bytes, session: Session) -> str:
    """Return the CSRF token of ``session``."""
    return hmac.new(secret, f"csrf:{session.nonce}".encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, session: Session, form: Mapping[str, object]) -> None:
    """Refuse (403) a POST whose form field or header does not carry the session's token."""
    expected = csrf_token(request.app.state.secret, session)
    given = form.get(FIELD) or request.headers.get(HEADER) or ""
    if not isinstance(given, str) or not hmac.compare_digest(given, expected):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")
