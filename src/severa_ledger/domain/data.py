"""The ledger's values as JSON data: one conversion for the CLI's and the API's JSON.

Money (``Decimal``) becomes its decimal string, dates their ISO 8601 text, attrs
values mappings of their fields (an explanation its ``as_data()``), enums their
value, collections lists; anything else unknown its ``str``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import attrs

from severa_ledger.domain.explanation import Explanation


def plain(value: object) -> Any:  # noqa: ANN401, PLR0911 -- any JSON value, by type
    """Return ``value`` as JSON data (module docstring)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, Explanation):
        return value.as_data()
    if attrs.has(type(value)):
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
        return {f.name: plain(getattr(value, f.name)) for f in fields}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)
