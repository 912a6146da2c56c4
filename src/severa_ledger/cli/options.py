"""Options shared by the subcommands: dates, the ``--format`` choices, help with examples."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, NoReturn, TypeAlias

from severa_ledger.cli.commands_file import iso_date
from severa_ledger.domain.errors import LedgerError

#: The formats every command that shows a result takes; some add one (csv, jsonl).
FORMATS = ("table", "json")

Handler = Callable[..., int | None]
Subcommands: TypeAlias = "argparse._SubParsersAction[Parser]"  # noqa: SLF001


_CHOICE = re.compile(r"invalid choice: '([^']*)' \(choose from (.*)\)")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors suggest the nearest command or option (difflib)."""

    given: Sequence[str] = ()

    def parse_known_args(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        namespace: Any = None,  # noqa: ANN401
    ) -> tuple[argparse.Namespace, list[str]]:
        """Parse as argparse does, keeping the arguments for the suggestions."""
        self.given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(self.given, namespace)

    def option_names(self) -> list[str]:
        """Return this parser's option strings (``--through``, ``-h``, ...)."""
        return list(self._option_string_actions)

    def error(self, message: str) -> NoReturn:
        """Exit 2 with ``message`` and, for a mistyped command or option, "did you mean"."""
        super().error(message + self._suggestion(message))

    def _suggestion(self, message: str) -> str:
        choice = _CHOICE.search(message)
        if choice is not None:
            choices = re.findall(r"'([^']*)'", choice.group(2))
            return _nearest(choice.group(1), choices)
        options = self.option_names() + self._command_options()
        unknown = {w.split("=")[0] for w in self.given if w.startswith("--")} - set(options)
        return "".join(_nearest(word, options) for word in sorted(unknown))

    def _command_options(self) -> list[str]:
        """Return the options of the subcommand given, if one was."""
        for action in self._actions:
            if isinstance(action.choices, dict):
                named = [action.choices[w] for w in self.given if w in action.choices]
                return [o for sub in named[:1] for o in sub.option_names()]
        return []


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def iso_date_arg(text: str) -> date:
    """Return the date written as YYYY-MM-DD, else refuse the argument (usage error)."""
    try:
        return iso_date(text)
    except LedgerError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def epilog(*examples: str) -> str:
    """Return the help's closing lines: each example command on a line of its own."""
    return "examples:\n" + "\n".join(f"  severa-ledger {example}" for example in examples)


def add_command(
    commands: Subcommands,
    name: str,
    handler: Handler,
    help_text: str,
    *,
    examples: tuple[str, ...],
    formats: tuple[str, ...] = FORMATS,
    default_format: str = "table",
) -> argparse.ArgumentParser:
    """Add subcommand ``name`` with ``--db``, ``--format`` and examples in its help."""
    common = Parser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help="store URL")
    common.add_argument(
        "--format",
        choices=formats,
        default=default_format,
        help=f"output format (default: {default_format})",
    )
    parser = commands.add_parser(
        name,
        parents=[common],
        help=help_text,
        description=help_text,
        epilog=epilog(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser
