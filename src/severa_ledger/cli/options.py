"""Options shared by the subcommands: dates, the ``--format`` choices, help with examples."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from typing import TypeAlias

from severa_ledger.cli.commands_file import iso_date
from severa_ledger.domain.errors import LedgerError

#: The formats every command that shows a result takes; some add one (csv, jsonl).
FORMATS = ("table", "json")

Handler = Callable[..., int | None]
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"  # noqa: SLF001


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
    common = argparse.ArgumentParser(add_help=False)
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
