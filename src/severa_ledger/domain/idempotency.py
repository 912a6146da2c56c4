"""Command records: a retried ``command_id`` records once and returns the first result."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

T = "severa_ledger:CommandRecord"


def command_record_id(command_id: str) -> UUID:
    """Return the deterministic id of a command record."""
    return uuid5(NAMESPACE_URL, f"severa-ledger/command/{command_id}")


class CommandRecord(Aggregate):
    """That a command ran: its name, a digest of its payload and its result."""

    TOPIC = T

    class Created(Aggregate.Created):
        """Unused base creation event; pinned so every stored topic is explicit."""

        TOPIC = f"{T}.Created.v1"

    @staticmethod
    def create_id(command_id: str) -> UUID:
        """Return the id for ``command_id``."""
        return command_record_id(command_id)

    @event("CommandRecorded", topic=f"{T}.CommandRecorded.v1")
    def __init__(self, command_id: str, command: str, digest: str, result: object) -> None:
        self.command_id = command_id
        self.command = command
        self.digest = digest
        self.result = result
