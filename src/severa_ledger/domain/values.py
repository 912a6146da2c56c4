"""Small values held by the subscription: versions, removals, migration, counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import attrs

from severa_ledger.domain.company import CompanyDetails


@attrs.frozen
class CompanyVersion:
    """Company details in force from a date on (R26)."""

    effective: date
    details: CompanyDetails


@attrs.frozen
class Migration:
    """A scheduled move to a new seller and regime from a cohort date (R21, R24)."""

    cohort: date
    seller: str
    regime: str
    cutover_start: date
    cutover_end: date
    scheduled_on: date


@attrs.frozen
class TermsAcceptance:
    """Terms of service accepted: version, by whom, when (R25)."""

    version: str
    accepted_by: str
    accepted_on: date


@attrs.frozen
class LicenseCount:
    """Licenses of one kind: held, used by active users, free, pending removal (R4, R5)."""

    licenses: int
    active_users: int
    free: int
    pending_removal: int


def company_in_force(versions: Sequence[CompanyVersion], day: date) -> CompanyDetails:
    """Return the details with the latest effective date on or before ``day`` (R18, R26).

    Of two effective the same day, the later recorded wins; before the first
    version's date, the first version's details.
    """
    current = versions[0]
    for version in versions:
        if current.effective <= version.effective <= day:
            current = version
    return current.details
