"""The last verify result, one shape for the operator's page and the API.

Whichever ran it (``POST /operator/verify`` or ``POST /api/v1/verify``), the
app keeps a :class:`LastVerify` in ``app.state.last_verify``; the page renders
its report, the API answers :meth:`LastVerify.out`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from severa_ledger.domain.data import plain
from severa_ledger.web.api_operator_responses import DamageOut, FindingOut, VerifyOut

if TYPE_CHECKING:
    from fastapi import Request

    from severa_ledger.audit.verify import VerifyReport


@attrs.frozen
class LastVerify:
    """The last verify result, kept in the app's state, and when it ran."""

    at: datetime
    report: VerifyReport

    def out(self) -> VerifyOut:
        """Return the result as the API sends it."""
        report, problem = self.report, self.report.problem
        return VerifyOut(
            ok=report.ok,
            checked_at=self.at,
            chain_problem=None if problem is None else str(plain(problem)),
            findings=[FindingOut.model_validate(plain(f)) for f in report.findings],
            unknown_events=len(report.unknown_events),
            events=report.chain.events,
            invoices=report.rederivation.invoices,
            damage=[DamageOut.model_validate(plain(d)) for d in report.damage],
        )


def keep_verify(request: Request, report: VerifyReport) -> LastVerify:
    """Keep ``report``, run now, as the app's last verify result and return it."""
    request.app.state.last_verify = kept = LastVerify(datetime.now(UTC), report)
    return kept


def last_verify(request: Request) -> LastVerify | None:
    """Return the app's last verify result, or None before the first since it started."""
    kept: LastVerify | None = request.app.state.last_verify
    return kept
