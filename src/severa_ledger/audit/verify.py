"""``Ledger.verify``: the hash chain and the re-derivation, in one report."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from severa_ledger.audit.rederive import Finding, Rederivation, rederive
from severa_ledger.audit.trail import AuditTrail, ChainReport, Problem

if TYPE_CHECKING:
    from severa_ledger.audit.chain import Seal
    from severa_ledger.queries import LedgerReader


@attrs.frozen
class VerifyReport:
    """What ``verify`` found. ``ok``: no tampering and every document re-derived.

    ``chain`` reports the hash chain (``problem``: the first position where the
    stored log no longer matches, with its kind); ``rederivation`` the orders
    and invoices recomputed from the input events and any ``findings``.
    """

    ok: bool
    chain: ChainReport
    rederivation: Rederivation

    @property
    def problem(self) -> Problem | None:
        """Return the chain's first problem, if any."""
        return self.chain.problem

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Return the documents that did not re-derive."""
        return self.rederivation.findings


def verify(trail: AuditTrail, reader: LedgerReader, seal: Seal | None = None) -> VerifyReport:
    """Check the chain (against ``seal`` if given) and re-derive every document."""
    chain = trail.check(seal)
    rederivation = rederive(reader)
    return VerifyReport(chain.ok and not rederivation.findings, chain, rederivation)
