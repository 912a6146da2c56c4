"""The subscriptions a billing run, or its dry run, held back: who, from which order, why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from severa_ledger.cli.rich_pieces import titled_table
from severa_ledger.cli.words import plural

if TYPE_CHECKING:
    from severa_ledger.billing.plan import HeldBack


def held_back_renderables(held: Sequence[HeldBack]) -> list[object]:
    """Return a sentence and a table of the held-back subscriptions (R31, R32); none: nothing."""
    if not held:
        return []
    table = titled_table("Held back", "customer", "order", "issue date", "reason")
    for item in held:
        table.add_row(
            item.customer_number, str(item.order_sequence), item.issue_date.isoformat(), item.reason
        )
    head = (
        f"{plural(len(held), 'subscription')} held back, not invoiced until the missing "
        "fact is recorded (R31, R32):"
    )
    return [head, table]
