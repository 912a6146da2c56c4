"""LedgerBase: opening a store, and running a command (or a batch) exactly once.

Every command of :class:`~severa_ledger.Ledger` runs through :meth:`LedgerBase._execute`:
decide in a unit of work, record the command with its ``command_id``, save whole
commands (docs/commands.md), retry on a conflict with another writer.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import Self, TypeVar, cast

from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    PersistenceError,
)
from eventsourcing.utils import Environment, EnvType

from severa_ledger.domain.billing import (
    MONDAY,
)
from severa_ledger.domain.errors import (
    ConcurrencyError,
    IdempotencyConflictError,
    InvalidValueError,
)
from severa_ledger.domain.idempotency import CommandRecord, command_record_id
from severa_ledger.domain.sellers import (
    DEFAULT_SELLERS,
    SellerRegistry,
)
from severa_ledger.domain.tax import DEFAULT_VAT, VatTable
from severa_ledger.ledger.digests import digest
from severa_ledger.ledger.sellers_file import sellers_given
from severa_ledger.reader.reader import LedgerReader
from severa_ledger.store.cache import AggregateCache
from severa_ledger.store.conflicts import settle
from severa_ledger.store.environment import environment
from severa_ledger.store.opening import (
    create_private_file,
    create_schema,
    missing_file,
    missing_schema,
    unusable,
)
from severa_ledger.store.recorders import chained_memory_recorder, recorder_topic
from severa_ledger.store.retry import MAX_ATTEMPTS, back_off, retry_ddl
from severa_ledger.store.unit import Unit

R = TypeVar("R")


class LedgerBase(LedgerReader):
    """The machinery every Ledger command runs through (the commands are in subclasses)."""

    _batch: Unit | None = None
    #: Aggregates kept between commands (fast-forwarded before use); 0 turns it off.
    DEFAULT_CACHE_SIZE = 4_096

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        sellers: SellerRegistry | str | os.PathLike[str] = DEFAULT_SELLERS,
        vat: VatTable = DEFAULT_VAT,
        invoice_weekday: int = MONDAY,
        cipher_key: str | None = None,
        cache_size: int | None = None,
        create: bool = True,
    ) -> Self:
        """Open the ledger stored at ``url`` (default: ``SEVERA_LEDGER_DB`` or the SQLite file).

        Processes that open a new PostgreSQL store at the same moment race on its
        CREATE statements; the losers retry after a short, random wait. With
        ``cipher_key`` (else ``SEVERA_LEDGER_CIPHER_KEY``), event states are
        stored encrypted (docs/auditing.md). ``cache_size`` aggregates are kept in
        memory between commands, each brought up to date from the store before use
        (default ``DEFAULT_CACHE_SIZE``; 0: load every aggregate from the store).

        With ``create`` (the default) a missing SQLite file or PostgreSQL schema
        is created; without it (a read) a missing file is refused and nothing is
        created. A store that cannot be opened (not a database, unreachable, no
        schema) raises StoreUnavailableError with the reason in one line.

        ``sellers`` is a :class:`SellerRegistry` or the path of a sellers file
        (docs/sellers.md), read before the store is opened: a bad file raises
        SellersFileError and creates nothing.
        """
        registry = sellers_given(sellers)
        if cache_size is not None and (type(cache_size) is not int or cache_size < 0):
            raise InvalidValueError(f"cache_size must be an int >= 0, got {cache_size!r}")
        env = environment(url, cipher_key)
        refusal = None if create else missing_file(env)
        if refusal is not None:
            raise refusal
        if create:
            create_private_file(env)
        ledger = cls._opened(
            env,
            create,
            lambda: cls(env, sellers=registry, vat=vat, invoice_weekday=invoice_weekday),
        )
        if cache_size is not None:
            ledger.aggregates.maxsize = cache_size
        return ledger

    @staticmethod
    def _opened(env: dict[str, str], create: bool, construct: Callable[[], R]) -> R:
        """Return ``construct()``; a missing schema made if ``create``, else a one-line refusal."""
        try:
            return retry_ddl(construct)
        except (PersistenceError, sqlite3.Error) as error:
            if not (create and missing_schema(env, error)):
                raise unusable(env, error) from None
        create_schema(env)
        return retry_ddl(construct)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------- machinery

    @cached_property
    def aggregates(self) -> AggregateCache:
        """Return the aggregates kept between this ledger's commands."""
        return AggregateCache(self.DEFAULT_CACHE_SIZE)

    def _execute(
        self,
        command: str,
        payload: Mapping[str, object],
        command_id: str | None,
        decide: Callable[[Unit], R],
    ) -> R:
        """Run ``decide`` in a unit of work and save it; retry on a writer conflict."""
        if command_id is not None and not isinstance(command_id, str):
            raise InvalidValueError(f"command_id must be a string, got {command_id!r}")
        key = digest(command, payload) if command_id is not None else ""
        for attempt in range(MAX_ATTEMPTS):
            unit = self._batch or Unit(self, self.aggregates)
            if command_id is not None:
                record = unit.get(command_record_id(command_id), CommandRecord)
                if record is not None:
                    return cast("R", self._replayed(record, command, key))
            result = decide(unit)
            if command_id is not None:
                unit.add(CommandRecord(command_id, command, key, result))
            unit.mark(keyed=command_id is not None)
            if self._batch is not None:
                return result
            try:
                unit.save_commands()
            except IntegrityError:
                back_off(attempt)
                continue
            return result
        raise ConcurrencyError(
            f"{command} still conflicted with other writers after {MAX_ATTEMPTS} attempts"
        )

    @staticmethod
    def _replayed(record: CommandRecord, command: str, key: str) -> object:
        if record.command != command or record.digest != key:
            raise IdempotencyConflictError(
                f"command_id {record.command_id!r} was used for a different command "
                f"({record.command}) or payload; refusing to record {command}"
            )
        return record.result

    def run_batch(self, commands: list[Callable[[], object]]) -> int:
        """Run commands in order, all decided before any is saved; return the events saved.

        Every command is decided first: one refusal records nothing of the
        batch. Then the batch is saved in one transaction when it fits
        ``MAX_EVENTS_PER_SAVE`` events, else in consecutive transactions of
        whole commands, each command's events with its command record. A batch
        that needs more than one transaction must give every command a
        ``command_id`` (else BatchTooLargeError, before anything is written):
        after a crash between two transactions, running the same batch again
        skips the commands already recorded and records each of the others once.

        On a conflict with another writer, the commands it did not touch commit
        and only those it touched are decided again, on fresh state
        (store/conflicts.py); ConcurrencyError after ``MAX_ATTEMPTS`` rounds in a
        row that committed nothing.
        """
        events, stuck = 0, 0
        while commands:
            unit, owners = self._decided(commands, self.aggregates)
            try:
                return events + unit.save_commands()
            except IntegrityError:
                again, committed = settle(unit)
                events += committed
            progressed = len(again) < len(commands)
            commands = [commands[owners[p]] for p in again]
            stuck = 0 if progressed else stuck + 1
            if stuck == MAX_ATTEMPTS:
                raise ConcurrencyError(f"a batch still conflicted after {MAX_ATTEMPTS} attempts")
            back_off(stuck)
        return events

    def _decided(
        self, commands: list[Callable[[], object]], cache: AggregateCache | None
    ) -> tuple[Unit, list[int]]:
        """Decide every command, in order, in one new unit; return it unsaved, and owners.

        Each command is marked; ``owners`` holds each mark's command's position in ``commands``.
        """
        self._batch = unit = Unit(self, cache)
        owners: list[int] = []
        try:
            for position, run in enumerate(commands):
                run()
                owners.extend([position] * (len(unit.marks) - len(owners)))
        finally:
            self._batch = None
        return unit, owners

    # ----------------------------------------------------------------- store

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """Use the recorder that chains each save in its own transaction (store/recorders.py)."""
        environment = super().construct_env(name, env)
        module = environment.get("PERSISTENCE_MODULE") or "eventsourcing.popo"
        topic = recorder_topic(module)
        if topic and not environment.get("APPLICATION_RECORDER_TOPIC"):
            environment["APPLICATION_RECORDER_TOPIC"] = topic
        return environment

    def construct_recorder(self) -> ApplicationRecorder:
        """Chain in memory too (eventsourcing's POPO factory takes no recorder topic)."""
        return chained_memory_recorder(super().construct_recorder())
