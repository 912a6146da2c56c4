"""Folding stored events into an aggregate, and the error of a history with a gap."""

from __future__ import annotations

from collections.abc import Iterable

from eventsourcing.domain import Aggregate, CanMutateProtocol, OriginatorVersionError, Snapshot

from severa_ledger.domain.errors import DamagedHistoryError


def project(
    aggregate: Aggregate | None, events: Iterable[CanMutateProtocol[Aggregate]]
) -> Aggregate | None:
    """Fold ``events`` into ``aggregate``, as eventsourcing's ``project_aggregate`` does.

    The library's projector asserts ``isinstance(event, CanMutateProtocol)`` for
    every event; a runtime Protocol check costs about a third of a load.
    """
    event = None
    try:
        for event in events:
            starts = event.originator_version == 1 or isinstance(event, Snapshot)
            if aggregate is None and not starts:
                raise damaged_history(event)
            aggregate = event.mutate(aggregate)
    except OriginatorVersionError:
        raise damaged_history(event) from None
    return aggregate


def damaged_history(event: object) -> DamagedHistoryError:
    """Return the error of an aggregate whose stored ``event`` does not follow its last version."""
    originator = getattr(event, "originator_id", "?")
    version = getattr(event, "originator_version", "?")
    kind = type(event).__qualname__.split(".")[0]
    return DamagedHistoryError(
        f"the stored history of {kind} {originator} is damaged: its version {version} does not "
        "follow the one before (events were removed from the log); run `severa-ledger verify`, "
        "keep this store for investigation and restore it from a backup"
    )
