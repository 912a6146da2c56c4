# ruff: noqa: INP001 -- a MkDocs hook, loaded by path, not a package
"""The generated references: command files from ``SPECS``, the CLI from its parser.

MkDocs runs this file as a hook (``hooks:`` in mkdocs.yml). A page line that is
exactly ``<!-- generated: NAME -->`` is replaced, at every build, by the reference
generated from the code itself:

* ``command-file``: every command of ``severa_ledger.cli.commands_file.SPECS``,
  its fields (positional, required, optional), their types (from ``CONVERTERS``)
  and an example line;
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
from collections.abc import Iterator
from typing import Any

import attrs

from severa_ledger import CompanyDetails, Ledger
from severa_ledger.cli.commands_file import CONVERTERS, SPECS, Spec
from severa_ledger.cli.parser import build_parser

MARKER = "<!-- generated: {} -->"

#: What each converter of ``CONVERTERS`` accepts, in a reader's words (keyed by its name).
TYPES = {
    "_text": "string",
    "_date": 'date, `"YYYY-MM-DD"`',
    "_whole": "whole number",
    "_flag": "`true` or `false`",
    "_amount": 'amount: a string (`"100.00"`) or an integer, never `100.5`',
    "_prices": 'object, kind to amount: `{"user": "100.00"}`',
    "_company": "object: the company's fields ([below](#company-details))",
}

#: A value for each field in the example lines, unless the command overrides it.
FIELD_EXAMPLES: dict[str, object] = {
    "customer_number": "1001",
    "kind": "user",
    "quantity": 2,
    "user_id": "kari",
    "company": {
        "legal_name": "Fjordtech Consulting AS", "org_number": "974760673", "country": "NO",
        "street": "Storgata 1", "postcode": "0155", "city": "Oslo",
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
}  # fmt: skip

#: Per command, the values that differ from ``FIELD_EXAMPLES`` (dates that follow each
#: other, so the lines apply in order) and optional fields worth showing.
COMMAND_EXAMPLES: dict[str, dict[str, object]] = {
    "open_subscription": {"regime": "in_advance"},
    "buy_licenses": {"quantity": 3},
    "remove_licenses": {"quantity": 1, "on": "2025-06-02"},
    "activate_user": {"on": "2025-06-05", "buy_if_needed": True},
    "deactivate_user": {"on": "2025-06-20"},
    "change_company_details": {"city": "Bergen", "street": "Bryggen 5", "postcode": "5003",
                               "on": "2025-06-20"},
    "change_prices": {"prices": {"user": "110.00"}, "on": "2025-06-20"},
    "schedule_migration": {"on": "2025-06-20"},
    "accept_terms": {"on": "2025-06-21"},
    "record_payment": {"on": "2025-05-10", "command_id": "bank-2025-05-10-17"},
    "credit_invoice": {"on": "2025-05-12"},
}  # fmt: skip

#: Commands whose example names an invoice: billed before they apply.
NEEDS_AN_INVOICE = ("record_payment", "credit_invoice")


def type_of(field: str) -> str:
    """Return what ``field`` accepts, from the converter ``CONVERTERS`` gives it."""
    converter = CONVERTERS.get(field)
    name = "_text" if converter is None else getattr(converter, "__name__", repr(converter))
    return TYPES.get(name, f"(read by `{name}`)")


def example_line(command: str) -> str:
    """Return an example JSON line of ``command``: its required fields and a few more."""
    spec = SPECS[command]
    extra = COMMAND_EXAMPLES.get(command, {})
    line: dict[str, object] = {"command": command}
    for field in (*spec.positional, *spec.required):
        line[field] = extra.get(field, FIELD_EXAMPLES.get(field, "..."))
    line |= {field: value for field, value in extra.items() if field not in line}
    return json.dumps(line, ensure_ascii=False)


def example_lines() -> list[str]:
    """Return the example line of every command, in ``SPECS`` order."""
    return [example_line(command) for command in SPECS]


def _fields(spec: Spec) -> Iterator[tuple[str, str]]:
    yield from ((field, "required (by position in Python)") for field in spec.positional)
    yield from ((field, "required") for field in spec.required if field not in spec.positional)
    yield from ((field, "optional") for field in spec.optional)
    yield "command_id", "optional (derived from the file and line when absent)"


def _summary(command: str) -> str:
    doc = inspect.getdoc(getattr(Ledger, command, None)) or ""
    return doc.split("\n\n")[0].replace("\n", " ")


def _command_section(command: str) -> list[str]:
    spec = SPECS[command]
    rows = [f"| `{field}` | {how} | {type_of(field)} |" for field, how in _fields(spec)]
    if spec.extra_fields:
        rows.append("| any other key | optional | a company field to change, a string "
                    "([below](#company-details)) |")  # fmt: skip
    return [
        f"### `{command}`",
        "",
        f"[`Ledger.{command}`][severa_ledger.Ledger.{command}]: {_summary(command)}",
        "",
        "| field | | type |",
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
        f"| `{f.name}` | {'required' if f.default is attrs.NOTHING else 'optional'} | string |"
        for f in attrs.fields(CompanyDetails)
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
    lines = [section for command in SPECS for section in _command_section(command)]
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
    lines = [f"{'#' * level} `{parser.prog}`", "", _cell(parser.description), "", "```text",
             _usage(parser), "```", ""]  # fmt: skip
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
    return "\n".join(["| exit | meaning |", "|---|---|",
                      *(f"| {code} | {_cell(meaning)} |" for code, meaning in rows)])  # fmt: skip


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
