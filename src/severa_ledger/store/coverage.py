"""Whether the chain covers the stored log: the check every save makes before extending it.

A save chains its own events after the chain's head. That is right only when
the head is the log's last event before the save: otherwise events were
written around the ledger, or digests deleted (the chain ends before the log),
or chained events deleted (the chain ends after it). Chaining anyway would
vouch for whatever sits there now, so the save is refused instead
(:class:`~severa_ledger.domain.errors.ChainBrokenError`, nothing written) until
someone checks the log and re-chains it explicitly (``Ledger.extend_chain``,
``severa-ledger seal --extend``), which is recorded and shown by ``verify``.
"""

from __future__ import annotations

from severa_ledger.domain.errors import ChainBrokenError

RECHAIN = (
    "check the log with `severa-ledger verify`, then chain it explicitly with "
    "`severa-ledger seal --extend` (Ledger.extend_chain()), which is recorded"
)


def check_covered(head: int, last_event: int) -> None:
    """Raise ChainBrokenError unless the chain's head (a position, 0: none) is ``last_event``.

    ``last_event`` is the position of the log's last event before the save's
    own (0: none).
    """
    if head == last_event:
        return
    if head == 0:
        reason = (
            f"no stored event is chained: the events up to position {last_event} have "
            "no digests (a store written before the chain, or its digests were "
            f"deleted); {RECHAIN}"
        )
    elif head < last_event:
        reason = (
            f"the chain ends at position {head} but the log holds events up to position "
            f"{last_event}: those after {head} have no digests (written around the "
            f"ledger, or their digests were deleted); {RECHAIN}"
        )
    else:
        reason = (
            f"the chain ends at position {head} but the log's last event is at position "
            f"{last_event}: chained events were deleted; `severa-ledger verify` names "
            "the first; restore the log from a backup"
        )
    raise ChainBrokenError(f"nothing was saved: {reason}")


def missing_table() -> ChainBrokenError:
    """Return the error for a save when the chain's table is gone."""
    return ChainBrokenError(
        "nothing was saved: the table of the hash chain (severa_ledger_chain) is missing; "
        + RECHAIN
    )
