"""The digest of a command and its arguments, kept with its command_id."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import attrs


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, date):
        return value.isoformat()
    if attrs.has(type(value)):
        fields = {f.name: getattr(value, f.name) for f in attrs.fields(type(value))}  # type: ignore[arg-type]
        return {k: _canonical(v) for k, v in fields.items()}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def digest(command: str, payload: Mapping[str, object]) -> str:
    """Return a stable digest of a command and its arguments (for command_id checks)."""
    text = json.dumps([command, _canonical(payload)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
