"""Command files: JSON Lines, one Ledger command a line, applied all-or-nothing.

A line is an object naming the command and its arguments::

    {"command": "buy_licenses", "customer_number": "C1", "kind": "user",
     "quantity": 2, "on": "2025-06-05", "command_id": "..."}

Dates are ISO 8601 strings; amounts and prices are JSON strings or integers,
never JSON numbers with a fraction (money is never a float, R11). Blank lines
and lines starting with ``#`` are skipped. A line may hold at most
``MAX_LINE_CHARACTERS`` characters and integer literals at most
``domain.inputs.MAX_DIGITS`` digits; deeper nesting than Python's parser allows is
refused like any other malformed line.

Every command has a ``command_id``. A line without one gets an id derived
from the file's content and the line's number (``command_id_for``): applying
the same file again records nothing new, while the same line in another file
(another day's payments, say) is a new command. Editing a file changes every
derived id in it: to finish a file whose apply was interrupted, re-apply it
unchanged, or give its lines explicit ``command_id`` values.

Applying a file is exactly once and resumable:

1. every line is parsed and checked, then every command is decided in memory,
   in order; one refused line records nothing of the file;
2. the commands are recorded in order, in one transaction when they fit
   ``MAX_EVENTS_PER_SAVE`` events, else in consecutive transactions of whole
   commands: a command's events and its command record always commit together;
3. if the process is killed or interrupted between two transactions, or
   another writer conflicts, the commands committed so far stay recorded;
   applying the same file again skips them by their ids and records each of
   the others once, ending in the state an uninterrupted run leaves.
4. a conflict with another writer commits the commands it did not touch and
   decides only the touched ones again, on fresh state (store/conflicts.py).

``run_billing`` is refused in a file: a billing run saves in chunks of its own
and cannot join the file's unit; bill with ``severa-ledger bill --through
DATE`` before or after applying the file.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from severa_ledger.domain import inputs
from severa_ledger.domain.errors import InvalidCommandError, LedgerError
from severa_ledger.ledger.catalogue import COMMAND_ID, COMMANDS, Dating

if TYPE_CHECKING:
    from severa_ledger.ledger.ledger import Ledger

#: Told (lines decided, lines) as a file is applied.
Progress = Callable[[int, int], None]
#: Characters a command line may hold (a line with a company and its prices needs < 2,000).
MAX_LINE_CHARACTERS = 65_536
#: A command file is the operator's: it dates every command itself.
FILE = Dating("file")


@attrs.frozen
class ParsedLine:
    """One command line, checked and bound to its Ledger call."""

    number: int
    command: str
    run: Callable[[], object]


@attrs.frozen
class ApplyReport:
    """What applying a command file did."""

    lines: int
    events: int


def iso_date(text: str, what: str = "date") -> date:
    """Return the date written exactly as YYYY-MM-DD within the ledger's window, else raise.

    ``date.fromisoformat`` also reads other ISO 8601 forms ("20250310",
    "2025-W10-1") and, on Python 3.11, "2025031099" as 2025-03-10: a typo must
    not become a business date (domain/inputs.py).
    """
    return inputs.written_date(text, what)


def _refuse_non_finite(literal: str) -> object:
    raise InvalidCommandError(f"{literal} is not a number")


def _object(text: str) -> dict[str, Any]:
    if len(text) > MAX_LINE_CHARACTERS:
        raise InvalidCommandError(
            f"the line has {len(text)} characters, more than {MAX_LINE_CHARACTERS}"
        )
    try:
        found = json.loads(
            text,
            parse_float=Decimal,
            parse_int=inputs.json_integer,
            parse_constant=_refuse_non_finite,
        )
    except json.JSONDecodeError as error:
        raise InvalidCommandError(f"not valid JSON: {error}") from None
    except RecursionError:
        raise InvalidCommandError("not valid JSON: nested too deeply") from None
    if not isinstance(found, dict):
        raise InvalidCommandError("expected a JSON object with a 'command' key")
    return found


def file_digest(text: str) -> str:
    """Return the digest of a command file's content, which derived command ids start from."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def command_id_for(file: str, number: int) -> str:
    """Return the command_id derived for line ``number`` of the file with digest ``file``."""
    return f"apply:{file}:{number}"


def _numbered(number: int, run: Callable[[], object]) -> Callable[[], object]:
    """Return ``run`` re-raising a refusal with the line number in front of its message."""

    def numbered() -> object:
        try:
            return run()
        except LedgerError as error:
            raise type(error)(f"line {number}: {error}") from error

    return numbered


def _command_name(given: dict[str, Any]) -> str:
    command = given.pop("command", None)
    if not isinstance(command, str):
        raise InvalidCommandError(f"expected a 'command' naming one of: {', '.join(COMMANDS)}")
    if command == "run_billing":
        raise InvalidCommandError(
            "run_billing is not applied from a file (it cannot join the file's "
            "all-or-nothing unit); run `severa-ledger bill --through DATE` instead"
        )
    if command not in COMMANDS:
        raise InvalidCommandError(f"unknown command {command!r}; known: {', '.join(COMMANDS)}")
    return command


def parse_line(ledger: Ledger, number: int, text: str, file: str) -> ParsedLine:
    """Return line ``number`` of file ``file`` (its digest) bound to its Ledger call.

    Raise InvalidCommandError if the line is bad.
    """
    try:
        given = _object(text)
        command = _command_name(given)
        key = COMMAND_ID.read(given.pop("command_id", command_id_for(file, number)), json=True)
        kwargs = COMMANDS[command].bind_json(given, FILE)
    except LedgerError as error:
        raise type(error)(f"line {number}: {error}") from None
    call = functools.partial(getattr(ledger, command), **kwargs, command_id=key)
    return ParsedLine(number, command, _numbered(number, call))


def parse_commands(ledger: Ledger, text: str) -> list[ParsedLine]:
    """Return every command line of a file, checked; skip blank and ``#`` lines."""
    file = file_digest(text)
    return [
        parse_line(ledger, number, line, file)
        for number, line in enumerate(text.split("\n"), start=1)  # as editors number them
        if line.strip() and not line.lstrip().startswith("#")
    ]


def _told(run: Callable[[], object], progress: Progress, done: int, total: int) -> object:
    result = run()
    progress(done, total)
    return result


def apply_commands(ledger: Ledger, text: str, progress: Progress | None = None) -> ApplyReport:
    """Apply a command file exactly once (see the module's docstring); return what it did.

    ``progress``, if given, is told (lines decided, lines) as each command is decided.
    """
    lines = parse_commands(ledger, text)
    calls: list[Callable[[], object]] = [line.run for line in lines]
    if progress is not None:
        calls = [
            functools.partial(_told, line.run, progress, done, len(lines))
            for done, line in enumerate(lines, start=1)
        ]
    events = ledger.run_batch(calls)
    return ApplyReport(lines=len(lines), events=events)


def check_commands(ledger: Ledger, text: str) -> ApplyReport:
    """Parse and decide every command of a file in memory; record nothing.

    Raise the first refusal with its line number, as ``apply_commands`` would;
    else return the lines and the events applying the file would record.
    """
    lines = parse_commands(ledger, text)
    return ApplyReport(lines=len(lines), events=ledger.check_batch([line.run for line in lines]))
