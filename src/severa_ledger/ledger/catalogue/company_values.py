"""The company-details kinds of command parameter (R26), read the same way on every edge.

A part of :mod:`severa_ledger.ledger.catalogue.values`, which lists every kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from severa_ledger.domain import inputs
from severa_ledger.domain.company import (
    COMPANY_TEXT,
    ORGANISATION_NUMBERS,
    CompanyDetails,
    company_text,
)
from severa_ledger.domain.errors import InvalidCommandError


def field_schema(name: str) -> dict[str, Any]:
    """Return the JSON schema of one company field (R26)."""
    if name == "country":
        return {"type": "string", "enum": list(ORGANISATION_NUMBERS)}
    return inputs.text_schema(COMPANY_TEXT[name][0])


@attrs.frozen
class Company:
    """A buyer's company details (R26): the fields of :class:`CompanyDetails`."""

    def from_json(self, raw: object, what: str) -> CompanyDetails:
        """Return the company details a JSON object gives."""
        if not isinstance(raw, Mapping):
            raise InvalidCommandError(f"{what} must be an object, got {raw!r}")
        unknown = sorted(set(raw) - set(COMPANY_TEXT))
        if unknown:
            raise InvalidCommandError(f"unknown company fields: {', '.join(map(str, unknown))}")
        missing = [name for name, (_, needed) in COMPANY_TEXT.items() if needed and name not in raw]
        if missing:
            raise InvalidCommandError(f"company details lack {', '.join(missing)}")
        return CompanyDetails(**raw)

    from_text = from_json

    def from_python(self, value: object, what: str) -> CompanyDetails:
        """Return ``value`` if it is CompanyDetails (their fields checked when made)."""
        if not isinstance(value, CompanyDetails):
            raise InvalidCommandError(f"{what} must be CompanyDetails, got {value!r}")
        return value

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema."""
        properties = {
            name: field_schema(name)
            if required
            else {"anyOf": [field_schema(name), {"type": "null"}]}
            for name, (_, required) in COMPANY_TEXT.items()
        }
        required = [name for name, (_, needed) in COMPANY_TEXT.items() if needed]
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    doc = "company details: " + ", ".join(COMPANY_TEXT) + " (R26)"


@attrs.frozen
class CompanyField:
    """One field of company details, by the same rules as :class:`CompanyDetails` (R26)."""

    name: str

    def from_json(self, raw: object, what: str) -> str | None:  # noqa: ARG002 -- named by field
        """Return the field's checked text."""
        result: str | None = company_text(self.name)(raw)
        return result

    from_text = from_json
    from_python = from_json

    def schema(self) -> dict[str, Any]:
        """Return the JSON schema (the country: one the ledger supports)."""
        return field_schema(self.name)

    @property
    def doc(self) -> str:
        """Say what the value is."""
        return f"text, 1 to {COMPANY_TEXT[self.name][0]} characters (R26)"
