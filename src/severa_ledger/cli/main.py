"""The ``severa-ledger`` command: argument parsing, store opening and dispatch.

Every command opens the ledger at ``--db`` (else ``SEVERA_LEDGER_DB``, else the
SQLite file ``severa-ledger.db`` in the current folder), with the sellers of the
file ``SEVERA_LEDGER_SELLERS`` names (docs/sellers.md), calls one Ledger
command or query and renders the result (:mod:`severa_ledger.cli.render`):
``--format table`` (rich tables) or ``--format json`` (one JSON document,
amounts as strings, ISO 8601 dates). Only ``init`` and ``demo`` create a store:
every other command refuses a SQLite file (or PostgreSQL schema) that does not
exist, so a mistyped ``--db`` never invents an empty ledger. The command line is the
one place that reads the clock: today is the default ``--as-of``
(:mod:`severa_ledger.cli.parser`).

Exit codes (README.md, "Exit codes"):

=== =====================================================================
0   done
1   verify found a problem
2   usage or bad input: arguments, values, dates, command files, seals, a
    cipher key that does not decrypt the store
3   refused by a business rule (every other LedgerError)
4   store unreachable or unusable: no such file, not a database, server
    unreachable, no such schema, a read-only store written to; stored events
    this program cannot read or hold (unknown type, out of range), a chain
    that does not cover the log, a damaged history or read-model row
70  internal error: a bug in severa-ledger (one line; SEVERA_LEDGER_DEBUG=1
    shows the traceback)
130 interrupted
=== =====================================================================

An error prints ``error: <message>`` on stderr; with ``--format json`` it prints
one JSON object instead: ``{"error": class name, "message": ..., "rule": "R5"
or null, "exit": code}``. A value longer than 200 characters in a message is
shown as its first 60 characters and its length.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import sqlite3
import sys
from typing import TYPE_CHECKING

from eventsourcing.persistence import (
    ConnectionPoolClosedError,
    MapperDeserialisationError,
    PersistenceError,
)

from severa_ledger.cli.parser import build_parser
from severa_ledger.domain.errors import (
    ChainBrokenError,
    DamagedHistoryError,
    DamagedReadModelError,
    InvalidCommandError,
    InvalidValueError,
    LedgerError,
    StoredValueOutOfRangeError,
    StoreUnavailableError,
    UnknownEventTypeError,
)
from severa_ledger.domain.rulebook import rule_cited, rule_hint
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.ledger.sellers_file import sellers_from_environment
from severa_ledger.store.environment import environment
from severa_ledger.store.opening import locked, store_exists, store_place

if TYPE_CHECKING:
    from sys import UnraisableHookArgs

DONE, PROBLEM_FOUND, BAD_INPUT, REFUSED, STORE_UNUSABLE, INTERRUPTED = 0, 1, 2, 3, 4, 130
INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE
#: The commands that create a store that does not exist; every other one refuses it
#: (exit 4), so a mistyped --db never invents an empty ledger.
CREATING_COMMANDS = frozenset({"init", "demo"})
#: Refusals caused by what the store holds, not by the command: exit 4.
STORED_DATA = (
    StoreUnavailableError,
    UnknownEventTypeError,
    StoredValueOutOfRangeError,
    ChainBrokenError,
    DamagedHistoryError,
    DamagedReadModelError,
)
#: Values longer than this are cut in error messages to ``SHOWN`` characters and a count.
LONGEST_VALUE, SHOWN = 200, 60
_LONG_VALUE = re.compile(r"'[^'\n]{%d,}'|\"[^\"\n]{%d,}\"|[^\s'\"]{%d,}" % ((LONGEST_VALUE,) * 3))  # noqa: UP031 -- a regex's braces


def main(argv: list[str] | None = None) -> int:
    """Run ``severa-ledger``; return the exit code (module docstring, README.md "Exit codes")."""
    args = None
    try:
        args = _parsed(argv)
        creates = args.command in CREATING_COMMANDS
        if creates:
            env = environment(args.db, None)
            args.existed, args.where = store_exists(env), store_place(env)
        sellers = sellers_from_environment()  # SEVERA_LEDGER_SELLERS (docs/sellers.md)
        with Ledger.open(args.db, create=creates, sellers=sellers) as ledger:
            code = args.handler(ledger, args)
    except KeyboardInterrupt:
        _quiet_after_interrupt()
        print(
            "interrupted: what was committed before stays recorded, nothing is half-recorded; "
            "run the same command again to finish it",
            file=sys.stderr,
        )
        return INTERRUPTED
    except BrokenPipeError:  # the reader (e.g. `head`) stopped: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return DONE
    except (
        LedgerError,
        PersistenceError,
        MapperDeserialisationError,
        sqlite3.Error,
        OSError,
        UnicodeDecodeError,
    ) as error:
        return _report(error, json_errors=getattr(args, "format", None) == "json")
    except Exception as error:  # a bug of ours: one line, never a traceback  # noqa: BLE001
        return _internal(error, json_errors=getattr(args, "format", None) == "json")
    return code or DONE


def _quiet_after_interrupt() -> None:
    """Keep a transaction's late clean-up from printing a traceback after Ctrl-C.

    Ctrl-C can land between a failed statement and its transaction's clean-up; that
    clean-up then runs only when Python collects it, after the store was closed,
    and fails with "Pool is closed". The transaction was never committed (nothing
    is half-recorded): that failure is not the user's concern.
    """
    default = sys.unraisablehook

    def hook(unraisable: UnraisableHookArgs) -> None:
        if not isinstance(unraisable.exc_value, ConnectionPoolClosedError):
            default(unraisable)

    sys.unraisablehook = hook


def _internal(error: Exception, *, json_errors: bool) -> int:
    """Report an unexpected failure in one line (exit 70); SEVERA_LEDGER_DEBUG=1 re-raises."""
    if os.environ.get("SEVERA_LEDGER_DEBUG") == "1":
        raise error
    message = shortened(
        f"internal error, a bug in severa-ledger (please report it with the command you ran; "
        f"SEVERA_LEDGER_DEBUG=1 shows the traceback): {type(error).__name__}: {error}"
    )
    if json_errors:
        document = {
            "error": type(error).__name__,
            "message": message,
            "rule": None,
            "exit": INTERNAL_ERROR,
        }
        print(json.dumps(document, ensure_ascii=False), file=sys.stderr)
    else:
        print(f"error: {message}", file=sys.stderr)
    return INTERNAL_ERROR


def _parsed(argv: list[str] | None) -> argparse.Namespace:
    """Return the parsed arguments; a usage error is printed shortened (exit 2).

    With ``--format json`` the usage error is one JSON object: ``"error": "UsageError"``.
    """
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            parser = build_parser()
            return _range_checked(parser, parser.parse_args(argv))
    except SystemExit as leaving:
        if leaving.code == BAD_INPUT and _wants_json(sys.argv[1:] if argv is None else argv):
            message = shortened(errors.getvalue().strip().splitlines()[-1])
            message = message.replace(": error: ", ": ", 1)
            document = {"error": "UsageError", "message": message, "rule": None, "exit": 2}
            print(json.dumps(document, ensure_ascii=False), file=sys.stderr)
            errors = io.StringIO()
        raise
    finally:
        if errors.getvalue():
            print(shortened(errors.getvalue()), end="", file=sys.stderr)


def _range_checked(parser: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """Return ``args``; a ``--from`` after ``--to`` is a usage error naming both dates."""
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if since is not None and until is not None and since > until:
        parser.error(
            f"--from {since.isoformat()} is after --to {until.isoformat()}: "
            "the range would hold no day"
        )
    return args


def _wants_json(argv: list[str]) -> bool:
    """Return whether the arguments ask for ``--format json`` (read before parsing them)."""
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    return "--format=json" in argv or any(pair == ("--format", "json") for pair in pairs)


def exit_code(error: BaseException) -> int:
    """Return the exit code of a failure (module docstring)."""
    bad = (InvalidValueError, InvalidCommandError, OSError, UnicodeDecodeError)
    if isinstance(error, (*bad, MapperDeserialisationError)):  # the key is the caller's input
        return BAD_INPUT
    if isinstance(error, STORED_DATA) or not isinstance(error, LedgerError):
        return STORE_UNUSABLE
    return REFUSED


#: What a refusal suggests in Python, as said on the command line and in a command file.
CLI_SPELLINGS = {"pass buy_if_needed=True": ("add --buy-if-needed", 'add "buy_if_needed": true')}


def cli_spelling(message: str) -> str:
    """Return ``message`` suggesting the command line's (or a command file's) spelling."""
    for python, (option, line) in CLI_SPELLINGS.items():
        message = message.replace(python, line if message.startswith("line ") else option)
    return message


def error_message(error: BaseException) -> str:
    """Return the message printed for a failure, long values cut."""
    if isinstance(error, MapperDeserialisationError):
        return shortened(
            f"a stored event could not be read (is SEVERA_LEDGER_CIPHER_KEY the store's "
            f"key?): {error}"
        )
    if isinstance(error, PersistenceError) and locked(error):
        return f"the store could not be used: {locked(error)}"
    if isinstance(error, (PersistenceError, sqlite3.Error)):
        return shortened(f"the store could not be used: {' '.join(str(error).split())}")
    return shortened(cli_spelling(str(error)))


def _report(error: BaseException, *, json_errors: bool) -> int:
    code, message = exit_code(error), error_message(error)
    if json_errors:
        rule = rule_cited(message)
        document = {
            "error": type(error).__name__,
            "message": message,
            "rule": rule,
            "exit": code,
        }
        print(json.dumps(document, ensure_ascii=False), file=sys.stderr)
    else:
        hint = rule_hint(message)
        print(f"error: {message}" + ("" if hint is None else f" ({hint})"), file=sys.stderr)
    return code


def shortened(message: str) -> str:
    """Return ``message`` with every value over 200 characters cut to 60 and its length."""

    def cut(match: re.Match[str]) -> str:
        value = match.group()
        return f"{value[:SHOWN]}… ({len(value)} characters)"

    return _LONG_VALUE.sub(cut, message)


if __name__ == "__main__":
    raise SystemExit(main())
