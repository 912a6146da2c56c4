"""A command's request body as a JSON schema, for the API's OpenAPI document and the docs."""

from __future__ import annotations

from typing import Any

from severa_ledger.ledger.catalogue.command import ON, Command, Param


def param_schema(param: Param) -> dict[str, Any]:
    """Return one parameter's JSON schema with its description and default."""
    schema = param.kind.schema()
    if param.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    described: dict[str, Any] = {**schema, "description": f"{param.doc}: {param.kind.doc}"}
    if param.default is not None:
        described["default"] = param.default
    return described


def body_schema(
    command: Command, *, omit: tuple[str, ...] = (), dated: bool = True
) -> dict[str, Any]:
    """Return the JSON schema of ``command``'s body, without the parameters in ``omit``.

    ``dated``: the body may carry ``on`` (optional: the business date is the
    default); else ``on`` is left out too.
    """
    properties: dict[str, Any] = {}
    required: list[str] = []
    for param in command.params:
        if param.name in omit or (param.name == ON and not dated):
            continue
        properties[param.name] = param_schema(param)
        if param.required and param.name != ON:
            required.append(param.name)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema
