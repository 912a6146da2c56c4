# ruff: noqa: INP001 -- a MkDocs hook, loaded by path, not a package
"""The rules page: every rule of ``severa_ledger.domain.rulebook.RULES``, and who cites it.

MkDocs runs this file as a hook (``hooks:`` in mkdocs.yml). The line
``<!-- generated: rules -->`` of docs/rules.md is replaced, at every build, by each
rule under its anchor (``#r5``), in its section, with the errors whose messages cite
it: every ``raise SomeError(...)`` under ``src/severa_ledger`` whose message text
(string literals and f-strings) cites the rule, found by reading the source with
``ast``, for the ``LedgerError`` subclasses the package exports (``severa_ledger``).
Nothing generated is committed, so the page cannot drift from the code.
``python docs/hooks/rules.py`` prints it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import severa_ledger
from severa_ledger.domain import errors
from severa_ledger.domain.rulebook import CITATION, RULES, Rule, rules_cited

MARKER = "<!-- generated: rules -->"
SOURCE = Path(errors.__file__).resolve().parent.parent


def _error_name(call: ast.Call) -> str | None:
    """Return the name of the LedgerError subclass ``call`` makes, else None."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    kind = getattr(severa_ledger, name or "", None)
    is_error = isinstance(kind, type) and issubclass(kind, errors.LedgerError)
    return name if is_error else None


def _message_text(call: ast.Call) -> str:
    """Return the literal text of a call's arguments, f-strings' literal parts included."""
    nodes = [node for arg in call.args for node in ast.walk(arg)]
    return " ".join(
        n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)
    )


def citing_errors(source: Path = SOURCE) -> dict[str, set[str]]:
    """Return, per rule id, the error classes raised with a message citing it."""
    cited: dict[str, set[str]] = defaultdict(set)
    for path in sorted(source.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                name = _error_name(node.exc)
                for rule in rules_cited(_message_text(node.exc)) if name else ():
                    cited[rule].add(name or "")
    return cited


def _error_link(name: str) -> str:
    kind = getattr(severa_ledger, name, None)
    if isinstance(kind, type) and issubclass(kind, errors.LedgerError):
        return f"[`{name}`][{kind.__module__}.{name}]"
    return f"`{name}`"


def _linked(text: str) -> str:
    """Return ``text`` with each rule it cites linked to the rule's anchor (R13-R16: both)."""

    def link(match: re.Match[str]) -> str:
        return "-".join(f"[{r}](#{r.lower()})" for r in re.findall(r"R\d+", match.group(0)))

    return CITATION.sub(link, text)


def _rule_section(rule: Rule, citing: set[str]) -> list[str]:
    lines = [f"### {rule.id}. {rule.title} {{#{rule.id.lower()}}}", "", _linked(rule.statement), ""]
    if rule.pending:
        lines += [f"*{rule.pending}*", ""]
    if citing:
        names = ", ".join(_error_link(name) for name in sorted(citing))
        lines += [f"Errors citing {rule.id}: {names}.", ""]
    return lines


def rules_reference() -> str:
    """Return the Markdown of every rule, by section, with the errors that cite it."""
    citing = citing_errors()
    lines: list[str] = []
    section = ""
    for rule in RULES.values():
        if rule.section != section:
            section = rule.section
            lines += [f"## {section}", ""]
        lines += _rule_section(rule, citing.get(rule.id, set()))
    return "\n".join(lines)


def on_page_markdown(markdown: str, **_: Any) -> str:  # noqa: ANN401
    """Replace the rules marker of a page by the generated rules (a MkDocs hook)."""
    return markdown.replace(MARKER, rules_reference()) if MARKER in markdown else markdown


if __name__ == "__main__":
    print(rules_reference())  # noqa: T201
