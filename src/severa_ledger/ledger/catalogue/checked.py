"""The Python API's door: a Ledger command's arguments checked by its catalogue entry."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from severa_ledger.ledger.catalogue.commands import COMMAND_ID, COMMANDS

F = TypeVar("F", bound=Callable[..., Any])


def catalogued(name: str) -> Callable[[F], F]:
    """Return a decorator checking a Ledger method's arguments as command ``name`` defines.

    Text is normalised (NFC), dates are held to the window, amounts written out,
    before the ledger decides anything; a refusal is the same error every edge gives
    for the same value. Arguments are matched to the method's parameters by name
    and position (no ``inspect`` binding per call: it would cost more than the checks).
    """
    command = COMMANDS[name]
    checks = {param.name: param.check for param in command.params}
    checks[COMMAND_ID.name] = COMMAND_ID.check

    def decorate(method: F) -> F:
        parameters = list(inspect.signature(method).parameters.values())
        names = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]

        @functools.wraps(method)
        def checked(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 -- the method's own result
            arguments = dict(zip(names, args, strict=False))
            arguments.update(kwargs)
            checked_arguments = {
                key: checks[key](value) if key in checks else value
                for key, value in arguments.items()
            }
            return method(**checked_arguments)

        checked.command = command  # type: ignore[attr-defined]
        return cast("F", checked)

    return decorate
