"""Which digests table belongs to a recorder: memory, SQLite or PostgreSQL."""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder

from severa_ledger.store.chain_stores import ChainStore, MemoryChainStore, SQLiteChainStore
from severa_ledger.store.retry import retry_ddl


def store_for(recorder: ApplicationRecorder) -> ChainStore:
    """Return the digests table beside ``recorder``'s events."""
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteChainStore(recorder.datastore)
    if isinstance(recorder, POPOApplicationRecorder):
        kept: ChainStore | None = getattr(recorder, "chain_store", None)  # ChainedPOPORecorder
        return kept if kept is not None else MemoryChainStore()
    from severa_ledger.store.postgres import PostgresChainStore  # noqa: PLC0415 -- optional extra

    store: list[ChainStore] = []
    retry_ddl(lambda: store.append(PostgresChainStore(recorder)))
    return store[0]
