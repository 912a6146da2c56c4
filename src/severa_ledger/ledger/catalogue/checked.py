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

    Text is normalised (NFC), dates are held to the window, amounts and whole
    numbers to their forms and bounds, before the ledger decides anything; a
    refusal is the same error every edge gives for the same value.
    """
    command = COMMANDS[name]
    params = command.by_name

    def decorate(method: F) -> F:
        signature = inspect.signature(method)
        spread = next(
            (p.name for p in signature.parameters.values() if p.kind is p.VAR_KEYWORD), None
        )

        @functools.wraps(method)
        def checked(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 -- the method's own result
            bound = signature.bind(*args, **kwargs)
            arguments = bound.arguments
            for key, value in arguments.items():
                if key in params:
                    arguments[key] = params[key].check(value)
                elif key == COMMAND_ID.name:
                    arguments[key] = COMMAND_ID.check(value)
            if spread is not None and spread in arguments:
                arguments[spread] = command.check(arguments[spread])
            return method(*bound.args, **bound.kwargs)

        checked.command = command  # type: ignore[attr-defined]
        return cast("F", checked)

    return decorate
