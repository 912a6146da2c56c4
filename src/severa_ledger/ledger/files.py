"""Files written whole: a temporary file beside the target, synced, then renamed into place.

Every document and export the ledger or its command line writes goes through
:func:`atomic_output`, so an interrupted write leaves no half-written file, a new
file gets the mode the user's umask gives (not a temporary file's 0600), an
overwritten one keeps its own, and an OS error names the file asked for.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


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


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole (``atomic_output``)."""
    with atomic_output(path) as stream:
        stream.write(data)
