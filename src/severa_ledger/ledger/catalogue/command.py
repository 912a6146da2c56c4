"""A command's definition (name, parameters, roles, documentation) and its binding to a call.

Every edge reads a command the same way: it hands the values it received to
:meth:`Command.bind_json` (a JSON edge) or :meth:`Command.bind_text` (a text
edge), with the caller's :class:`Dating`, and gets back the ``Ledger`` call's
keyword arguments, every value checked by the rules of its kind
(:mod:`severa_ledger.ledger.catalogue.values`). The Python API checks a call's
arguments with each :meth:`Param.check` (``@catalogued``) before the ledger decides anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

import attrs

from severa_ledger.domain.errors import DateNotAllowedError, InvalidCommandError
from severa_ledger.ledger.catalogue.values import Kind

Role = Literal["operator", "customer", "file"]
ALL_ROLES: frozenset[Role] = frozenset({"operator", "customer", "file"})
OPERATOR_ROLES: frozenset[Role] = frozenset({"operator", "file"})
#: The parameter every command dates itself by.
ON = "on"


@attrs.frozen
class Param:
    """One parameter: its name, kind of value, default and one line of documentation."""

    name: str
    kind: Kind
    doc: str
    required: bool = True
    default: object = None
    #: None may be given, to clear an optional value (company details).
    nullable: bool = False
    #: Passed by position to the Ledger method (and on the command line).
    positional: bool = False

    def read(self, raw: object, *, json: bool) -> object:
        """Return ``raw`` as this parameter's value, read as JSON or as text."""
        if raw is None and self.nullable:
            return None
        if not json and raw == "" and self.nullable:
            return None
        if json:
            return self.kind.from_json(raw, self.name)
        if not isinstance(raw, str):
            raise InvalidCommandError(f"{self.name} must be text, got {raw!r}")
        return self.kind.from_text(raw, self.name)

    def check(self, value: object) -> object:
        """Return a Python caller's ``value``, checked (and text normalised)."""
        if value is None and (self.nullable or not self.required):
            return None
        return self.kind.from_python(value, self.name)


@attrs.frozen
class Dating:
    """What a caller may date a command: the business date ``today`` and the caller's role.

    A customer's commands take ``today``; with ``latest`` set (company details,
    R36), a date from today to ``latest``. The operator (and a command file)
    may give any date in the window; the operator's default is today.
    """

    role: Role
    today: date | None = None
    latest: date | None = None

    def decide(self, command: str, given: date | None) -> date:
        """Return the effective date of ``command`` when ``given`` (or nothing) was asked."""
        if self.role != "customer":
            if given is None:
                if self.today is None:
                    raise InvalidCommandError(f"{command} lacks {ON}")
                return self.today
            return given
        if self.today is None:
            raise InvalidCommandError("a customer's command needs the business date")
        if given is None or given == self.today:
            return self.today
        if self.latest is not None and self.today <= given <= self.latest:
            return given
        if self.latest is None:
            allowed = f"only today, {self.today}"
        else:
            allowed = f"from {self.today} to {self.latest}"
        raise DateNotAllowedError(f"{command}: a customer dates it {allowed}, not {given} (R36)")


@attrs.frozen
class Command:
    """One command of the ledger, as every edge takes it."""

    name: str
    doc: str
    params: tuple[Param, ...]
    roles: frozenset[Role] = OPERATOR_ROLES
    #: The command-line subcommand, if the CLI has one.
    cli: str | None = None
    #: A customer may date it from today to the end of the next period (R36).
    customer_dated: bool = False

    @property
    def by_name(self) -> dict[str, Param]:
        """Return the parameters by name."""
        return {p.name: p for p in self.params}

    def bind_json(self, given: Mapping[str, object], dating: Dating) -> dict[str, Any]:
        """Return the call's keyword arguments from a JSON object's members."""
        return self.bind(dating, json=given)

    def bind_text(self, given: Mapping[str, str | None], dating: Dating) -> dict[str, Any]:
        """Return the call's keyword arguments from text values (absent ones None)."""
        return self.bind(dating, text=given)

    def bind(
        self,
        dating: Dating,
        *,
        json: Mapping[str, object] | None = None,
        text: Mapping[str, str | None] | None = None,
    ) -> dict[str, Any]:
        """Return the call's keyword arguments from JSON members and text values.

        Unknown names, missing required ones and a role that may not send the
        command are refused (InvalidCommandError); each value is read by its
        kind; absent parameters take their defaults; the date by ``dating``.
        """
        if dating.role not in self.roles:
            raise InvalidCommandError(f"{self.name} is not taken from a {dating.role}")
        given = {**(json or {}), **{k: v for k, v in (text or {}).items() if v is not None}}
        params = self.by_name
        unknown = sorted(set(given) - set(params))
        if unknown:
            raise InvalidCommandError(f"{self.name} takes no argument {', '.join(unknown)}")
        values = {
            name: params[name].read(raw, json=json is not None and name in json)
            for name, raw in given.items()
        }
        if ON in params:
            values[ON] = dating.decide(self.name, values.get(ON))  # type: ignore[arg-type]
        missing = [p.name for p in self.params if p.required and p.name not in values]
        if missing:
            raise InvalidCommandError(f"{self.name} lacks {', '.join(missing)}")
        for param in self.params:
            if param.default is not None:
                values.setdefault(param.name, param.default)
        return values

    def payload(self, arguments: Mapping[str, object]) -> dict[str, object]:
        """Return the arguments that identify the command (its parameters, no command_id)."""
        return {p.name: arguments[p.name] for p in self.params if p.name in arguments}
