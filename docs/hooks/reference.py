# ruff: noqa: INP001 -- a MkDocs hook, loaded by path, not a package
"""The generated references: command files from the command catalogue, the CLI from its parser.

MkDocs runs this file as a hook (``hooks:`` in mkdocs.yml). A page line that is
exactly ``<!-- generated: NAME -->`` is replaced, at every build, by the reference
generated from the code itself:

* ``command-file``: every command of the catalogue
  (``severa_ledger.ledger.catalogue.COMMANDS``) a command file takes, its fields
  (required, optional, defaults), their types and bounds, who may send it, and an
  example line;
* ``cli``: every subcommand of ``severa_ledger.cli.parser.build_parser()``, its
  usage, help and options;
* ``exit-codes``: the exit codes table of ``severa_ledger.cli.main``'s docstring.

Nothing generated is committed, so the pages cannot drift from the code;
``tests/test_docs.py`` checks the built pages against a fresh regeneration.
``python docs/hooks/reference.py cli`` (or ``command-file``) prints one.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
from typing import Any

from severa_ledger import Ledger
from severa_ledger.cli.parser import build_parser
from severa_ledger.domain.company import COMPANY_TEXT
from severa_ledger.ledger.catalogue import COMMAND_ID, COMMANDS, Command, Param
from severa_ledger.ledger.catalogue.company_values import Company

MARKER = "<!-- generated: {} -->"
#: The commands a command file takes (all but billing, which is `severa-ledger bill`).
FILE_COMMANDS = [name for name, command in COMMANDS.items() if "file" in command.roles]

#: A value for each field in the example lines, unless the command overrides it.
FIELD_EXAMPLES: dict[str, object] = {
    "customer_number": "1001",
    "kind": "user",
    "quantity": 2,
    "user_id": "kari",
    "company": {
        "legal_name": "Fjordtech Consulting AS",
        "org_number": "974760673",
        "country": "NO",
        "street": "Storgata 1",
        "postcode": "0155",
        "city": "Oslo",
    },
    "currency": "NOK",
    "period_months": 3,
    "anchor": "2025-05-01",
    "prices": {"user": "100.00"},
    "on": "2025-05-01",
    "effective": "2025-08-01",
    "cohort": "2025-08-01",
    "version": "Visma Solutions Oy terms of service 2025",
    "accepted_by": "kari",
    "invoice_number": "VSAS-000001",
    "number": "VSAS-000001",
    "amount": "1125.00",
    "reason": "wrong number of licenses",
}

#: Per command, the values that differ from ``FIELD_EXAMPLES`` (dates that follow each
#: other, so the lines apply in order) and optional fields worth showing.
COMMAND_EXAMPLES: dict[str, dict[str, object]] = {
    "open_subscription": {"regime": "in_advance"},
    "buy_licenses": {"quantity": 3},
    "remove_licenses": {"quantity": 1, "on": "2025-06-02"},
    "activate_user": {"on": "2025-06-05", "buy_if_needed": True},
    "deactivate_user": {"on": "2025-06-20"},
    "change_company_details": {
        "city": "Bergen",
        "street": "Bryggen 5",
        "postcode": "5003",
        "on": "2025-06-20",
    },
    "change_prices": {"prices": {"user": "110.00"}, "on": "2025-06-20"},
    "schedule_migration": {"on": "2025-06-20"},
    "accept_terms": {"on": "2025-06-21"},
    "record_payment": {"on": "2025-05-10", "command_id": "bank-2025-05-10-17"},
    "credit_invoice": {"on": "2025-05-12"},
    "cancel_scheduled_change": {"change_id": "prices:2025-08-01", "on": "2025-06-22"},
    "resend_document": {"document": "VSAS-000001", "on": "2025-05-12"},
    "record_exchange_rate": {"quote": "NOK", "rate": "11.7125", "on": "2025-06-20"},
}

#: Commands whose example names an invoice: billed before they apply.
NEEDS_AN_INVOICE = ("record_payment", "credit_invoice", "resend_document")


def example_line(command: str) -> str:
    """Return an example JSON line of ``command``: its required fields and a few more."""
    extra = COMMAND_EXAMPLES.get(command, {})
    line: dict[str, object] = {"command": command}
    for param in COMMANDS[command].params:
        if param.required:
            line[param.name] = extra.get(param.name, FIELD_EXAMPLES.get(param.name, "..."))
    line |= {field: value for field, value in extra.items() if field not in line}
    return json.dumps(line, ensure_ascii=False)


def example_lines() -> list[str]:
    """Return the example line of every command a file takes, in catalogue order."""
    return [example_line(command) for command in FILE_COMMANDS]


def _how(param: Param) -> str:
    if param.required:
        return "required"
    default = "" if param.default is None else f", default `{json.dumps(param.default)}`"
    return f"optional{default}"


def _row(param: Param) -> str:
    kind = param.kind
    what = (
        "the company's fields ([below](#company-details))"
        if isinstance(kind, Company)
        else kind.doc
    )
    return f"| `{param.name}` | {_how(param)} | {param.doc}: {what} |"


def _roles(command: Command) -> str:
    return ", ".join(sorted(command.roles))


def _summary(command: str) -> str:
    doc = inspect.getdoc(getattr(Ledger, command, None)) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def _command_section(command: str) -> list[str]:
    rows = [_row(param) for param in COMMANDS[command].params]
    rows.append(
        f"| `command_id` | optional (derived from the file and line when absent) | "
        f"{COMMAND_ID.doc}: {COMMAND_ID.kind.doc} |"
    )
    return [
        f"### `{command}`",
        "",
        f"[`Ledger.{command}`][severa_ledger.Ledger.{command}]: {_summary(command)}",
        f"Sent by: {_roles(COMMANDS[command])}.",
        "",
        "| field | | what |",
        "|---|---|---|",
        *rows,
        "",
        "```json",
        example_line(command),
        "```",
        "",
    ]


def _company_section() -> list[str]:
    rows = [
        f"| `{name}` | {'required' if needed else 'optional'} | text, 1 to {limit} characters |"
        for name, (limit, needed) in COMPANY_TEXT.items()
    ]
    return [
        "### Company details",
        "",
        (
            "The fields of [`CompanyDetails`][severa_ledger.CompanyDetails], as strings "
            "(`null` for an optional one left out):"
        ),
        "",
        "| field | | type |",
        "|---|---|---|",
        *rows,
        "",
    ]


def command_file_reference() -> str:
    """Return the Markdown reference of every command a command file takes."""
    lines = [section for command in FILE_COMMANDS for section in _command_section(command)]
    return "\n".join([*lines, *_company_section()])


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for action in parser._actions:  # noqa: SLF001 -- argparse has no public walk of its tree
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            found.extend(action.choices.items())
    return found


#: Columns of the usage lines: fixed, so a build does not depend on the terminal.
WIDTH = 88


def _formatter(parser: argparse.ArgumentParser) -> argparse.HelpFormatter:
    return parser.formatter_class(prog=parser.prog, width=WIDTH)


def _invocation(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    return _formatter(parser)._format_action_invocation(action)  # noqa: SLF001


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)  # noqa: SLF001
    return formatter.format_help().strip()


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _parser_section(parser: argparse.ArgumentParser, level: int) -> list[str]:
    options = [
        f"| `{_invocation(parser, action)}` | {_cell(action.help)} |"
        for action in parser._actions  # noqa: SLF001
        if not isinstance(action, argparse._SubParsersAction | argparse._HelpAction)  # noqa: SLF001
    ]
    lines = [
        f"{'#' * level} `{parser.prog}`",
        "",
        _cell(parser.description),
        "",
        "```text",
        _usage(parser),
        "```",
        "",
    ]
    if options:
        lines += ["| argument | |", "|---|---|", *options, ""]
    for _, sub in _subcommands(parser):
        lines += _parser_section(sub, min(level + 1, 4))
    return lines


def cli_reference(parser: argparse.ArgumentParser | None = None) -> str:
    """Return the Markdown reference of every subcommand of ``severa-ledger``."""
    return "\n".join(_parser_section(parser or build_parser(), 3))


def exit_codes() -> str:
    """Return the exit codes of ``severa-ledger`` as a Markdown table, from its module's table."""
    doc = inspect.getdoc(importlib.import_module("severa_ledger.cli.main")) or ""
    rulers = [i for i, line in enumerate(doc.splitlines()) if line.startswith("===")]
    rows: list[list[str]] = []
    for line in doc.splitlines()[rulers[0] + 1 : rulers[-1]] if len(rulers) >= 2 else []:  # noqa: PLR2004
        code, _, meaning = line.partition(" ")
        if code.strip():
            rows.append([code, meaning.strip()])
        elif rows:
            rows[-1][1] += " " + meaning.strip()
    return "\n".join(
        [
            "| exit | meaning |",
            "|---|---|",
            *(f"| {code} | {_cell(meaning)} |" for code, meaning in rows),
        ]
    )


GENERATORS = {
    "command-file": command_file_reference,
    "cli": cli_reference,
    "exit-codes": exit_codes,
}


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401
    """Replace each generation marker of a page by its generated reference (a MkDocs hook)."""
    for name, generate in GENERATORS.items():
        if MARKER.format(name) in markdown:
            markdown = markdown.replace(MARKER.format(name), generate())
    return markdown


if __name__ == "__main__":
    print(GENERATORS[sys.argv[1]]())  # noqa: T201
