"""How long sessions last, how large a body may be, how many failed sign-ins: docs/web.md.

``severa-ledger serve`` reads them from the environment
(:meth:`WebSettings.from_environ`); :func:`~severa_ledger.web.app.create_app`
takes them, with the documented defaults when none are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import attrs

from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.web.keys import SessionLimits

#: The largest request body accepted (1 MiB): every route takes a small JSON or form.
MAX_BODY = 1024 * 1024
#: Failed sign-ins (wrong key, wrong link) per client address per minute before 429.
FAILURES_PER_MINUTE = 10
IDLE_VARIABLE = "SEVERA_LEDGER_SESSION_IDLE_MINUTES"
ABSOLUTE_VARIABLE = "SEVERA_LEDGER_SESSION_HOURS"
BODY_VARIABLE = "SEVERA_LEDGER_MAX_BODY_BYTES"
FAILURES_VARIABLE = "SEVERA_LEDGER_AUTH_FAILURES_PER_MINUTE"


@attrs.frozen
class WebSettings:
    """The web app's limits (docs/web.md, "Hardening")."""

    sessions: SessionLimits = attrs.field(factory=SessionLimits)
    max_body: int = MAX_BODY
    failures_per_minute: int = FAILURES_PER_MINUTE

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> WebSettings:
        """Return the settings named in ``environ``, the defaults for the others."""
        default = SessionLimits()
        idle = _count(environ, IDLE_VARIABLE, int(default.idle.total_seconds()) // 60)
        hours = _count(environ, ABSOLUTE_VARIABLE, int(default.absolute.total_seconds()) // 3600)
        return cls(
            SessionLimits(idle=timedelta(minutes=idle), absolute=timedelta(hours=hours)),
            _count(environ, BODY_VARIABLE, MAX_BODY),
            _count(environ, FAILURES_VARIABLE, FAILURES_PER_MINUTE),
        )


def _count(environ: Mapping[str, str], name: str, default: int) -> int:
    """Return the positive whole number in ``environ[name]``, else ``default``."""
    text = environ.get(name, "").strip()
    if not text:
        return default
    if not text.isdecimal() or int(text) < 1:
        raise InvalidValueError(f"{name} must be a whole number of at least 1, got {text!r}")
    return int(text)
