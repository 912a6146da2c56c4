"""Where the command line writes files: never over the store, never over a file unasked.

Every option that names a file to write (``invoice -o``, ``order -o``, ``export
--output``, ``documents -o FOLDER``) goes through :func:`checked_output`: the
store in use (its SQLite file, journal, WAL and shared-memory files) is refused
always, ``--force`` or not; a file that exists is refused unless ``--force``
names the intent. Files are written whole by
:mod:`severa_ledger.ledger.files` (``atomic_output``, ``write_whole``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from pathlib import Path

from severa_ledger.domain.errors import InvalidValueError, OutputExistsError, OutputIsStoreError
from severa_ledger.store.environment import environment, sqlite_file

#: The files SQLite keeps beside a database.
COMPANIONS = ("", "-wal", "-shm", "-journal")


def store_files(url: str | None) -> list[Path]:
    """Return the files of the store at ``url`` (none for PostgreSQL or memory)."""
    path = sqlite_file(environment(url, None))
    if path is None:
        return []
    return [Path(f"{path}{suffix}").resolve() for suffix in COMPANIONS]


def _is_store(path: Path, store: Iterable[Path]) -> bool:
    resolved = path.resolve()
    for candidate in store:
        if resolved == candidate:
            return True
        with contextlib.suppress(OSError):
            if path.exists() and candidate.exists() and path.samefile(candidate):
                return True
    return False


def check_not_store(path: Path, store: Iterable[Path]) -> None:
    """Refuse ``path`` if it names the store in use or a file SQLite keeps beside it."""
    files = list(store)
    if _is_store(path, files):
        raise OutputIsStoreError(
            f"{path} is the store in use ({files[0]}): an output never overwrites the store, "
            "not even with --force; choose another path"
        )


def checked_output(path: Path, *, force: bool, store: Iterable[Path]) -> Path:
    """Return ``path`` if a command may write it (module docstring), else raise."""
    check_not_store(path, store)
    if path.exists() and not force:
        raise OutputExistsError(
            f"{path} already exists: choose another path, or --force overwrites it"
        )
    if not path.parent.is_dir():
        raise InvalidValueError(f"{path}: the folder {path.parent} does not exist")
    return path
