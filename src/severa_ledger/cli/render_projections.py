"""How ``severa-ledger projections`` shows the read models' state (docs/projections.md)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.table import Table

from severa_ledger.cli.words import plural

if TYPE_CHECKING:
    from severa_ledger.projections.runner import ProjectionStatus


def projections_table(statuses: Iterable[ProjectionStatus]) -> Table:
    """Return each projection's position, the log's head, its lag and its tables."""
    table = Table(title="Read models", title_justify="left")
    for column in ("projection", "position", "head", "lag", "tables"):
        numeric = column in {"position", "head", "lag"}
        table.add_column(column, justify="right" if numeric else "left", no_wrap=numeric)
    for s in statuses:
        table.add_row(s.projection, str(s.position), str(s.head), str(s.lag), ", ".join(s.tables))
    return table


def folded_summary(action: str, events: int) -> str:
    """Return what a catch-up, rebuild or follow did, in one sentence."""
    return f"{action}: {plural(events, 'event')} folded into the read models"
