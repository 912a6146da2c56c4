"""Where the command line writes files: never over the store, never over a file unasked.

Every option that names a file to write (``invoice -o``, ``order -o``, ``export
--output``, ``documents -o FOLDER``) goes through :func:`checked_output`: the
store in use (its SQLite file, journal, WAL and shared-memory files) is refused
always, ``--force`` or not; a file that exists is refused unless ``--force``
names the intent. Files are written whole (:func:`atomic_output`): a temporary
file in the same folder, flushed to disk and renamed into place, with the mode a
new file gets from the user's umask.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

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


def new_file_mode() -> int:
    """Return the mode ``open()`` gives a new file under the current umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def kept_mode(path: Path) -> int:
    """Return the mode ``path`` keeps when overwritten, or a new file's (``new_file_mode``)."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return new_file_mode()


@contextlib.contextmanager
def atomic_output(path: Path, mode: str = "wb", **options: str) -> Iterator[IO[Any]]:
    """Yield a stream whose content replaces ``path`` whole when the block ends without error.

    An OS error in making, syncing or renaming the temporary file names ``path``,
    the file the user asked for, never the temporary.
    """
    with _naming(path):
        handle, temporary = tempfile.mkstemp(dir=path.parent or Path(), prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, mode, **options) as stream:  # type: ignore[call-overload]
            yield stream
            with _naming(path):
                stream.flush()
                os.fsync(stream.fileno())
        with _naming(path):
            Path(temporary).chmod(kept_mode(path))
            Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Re-raise an OS error (about a temporary file) as the same error about ``path``."""
    try:
        yield
    except OSError as error:
        if error.errno is None:
            raise
        raise type(error)(error.errno, error.strerror, str(path)) from None


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (``atomic_output``)."""
    with atomic_output(path) as stream:
        stream.write(data)
