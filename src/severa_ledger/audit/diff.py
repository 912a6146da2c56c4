"""Field-by-field differences between a stored document and its re-derivation."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

MAX_SHOWN = 60


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def differences(stored: object, derived: object, path: str = "") -> list[str]:
    """Return what differs, as ``field: stored X, re-derived Y`` phrases (nested fields dotted)."""
    if stored == derived:
        return []
    cls = type(stored)
    if attrs.has(cls) and type(derived) is cls:
        found: list[str] = []
        for field in attrs.fields(cls):
            found += differences(
                getattr(stored, field.name), getattr(derived, field.name), _child(path, field.name)
            )
        return found
    if isinstance(stored, list | tuple) and isinstance(derived, list | tuple):
        return _sequence_differences(stored, derived, path)
    return [f"{path or 'value'}: stored {_shown(stored)}, re-derived {_shown(derived)}"]


def _sequence_differences(
    stored: Sequence[object], derived: Sequence[object], path: str
) -> list[str]:
    if len(stored) != len(derived):
        return [f"{path}: stored {len(stored)} items, re-derived {len(derived)}"]
    found: list[str] = []
    for index, (a, b) in enumerate(zip(stored, derived, strict=True), start=1):
        found += differences(a, b, f"{path}[{index}]")
    return found
