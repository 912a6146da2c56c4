"""verify's check of the lines' explanations (issue 19): each recomputes its line exactly.

A stored explanation must recompute its line: its exact value, rounded
half-up to the minor unit, is the unit price, and the unit price times the
quantity is the amount (:meth:`~severa_ledger.domain.explanation.Explanation.problems`).
Lines stored before explanations existed have none: the re-derived one is
then not compared (there is nothing stored to compare it with), the amounts are.
"""

from __future__ import annotations

from typing import Any

import attrs

from severa_ledger.audit.diff import differences
from severa_ledger.domain.documents import Invoice, OrderConfirmation

Document = Invoice | OrderConfirmation


def compared(stored: object, derived: Document) -> list[str]:
    """Return how a stored document differs from its re-derivation, explanations included."""
    return differences(stored, as_stored(stored, derived)) + explanation_problems(stored)


def explanation_problems(document: Any) -> list[str]:  # noqa: ANN401 -- an order or an invoice
    """Return, per line, how its stored explanation fails to recompute it (none: all do)."""
    found = []
    for n, line in enumerate(getattr(document, "lines", ()), start=1):
        if line.explanation is not None:
            problems = line.explanation.problems(line.unit_price, line.quantity, line.amount)
            found += [f"lines[{n}].explanation: {problem}" for problem in problems]
    return found


def as_stored(stored: object, derived: Document) -> Document:
    """Return ``derived`` without the explanations of lines ``stored`` was recorded without."""
    lines: tuple[Any, ...] | None = getattr(stored, "lines", None)
    fresh: tuple[Any, ...] = derived.lines
    if lines is None or len(lines) != len(fresh):
        return derived
    if all(line.explanation is not None for line in lines):
        return derived
    kept = [
        new if old.explanation is not None else attrs.evolve(new, explanation=None)
        for old, new in zip(lines, fresh, strict=True)
    ]
    document: Any = derived
    return attrs.evolve(document, lines=kept)  # type: ignore[no-any-return]
