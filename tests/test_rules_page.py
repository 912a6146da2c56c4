"""The rules page: every rule an error can cite is listed, under its anchor, in the docs."""

from __future__ import annotations

import ast
import html
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from severa_ledger.domain.rulebook import RULES, rule_anchor, rule_cited, rule_hint, rules_cited
from tests.test_docs import site  # noqa: F401 -- the strictly built site, a fixture

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "severa_ledger"


def _hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("rules_hook", ROOT / "docs/hooks/rules.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cited_in_source() -> dict[str, set[str]]:
    """Return each rule id cited by a string literal (f-strings' parts too) under src, and where."""
    cited: dict[str, set[str]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for rule in rules_cited(node.value):
                    cited.setdefault(rule, set()).add(f"{path.relative_to(ROOT)}:{node.lineno}")
    return cited


def test_the_rulebook_holds_r1_to_r36_of_the_domain_notes_in_order() -> None:
    """RULES is R1..R36, the ids of the domain notes, each with a section, title and statement."""
    assert list(RULES) == [f"R{n}" for n in range(1, 37)]
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert rule.section
        assert rule.title
        assert len(rule.statement) > 40, rule_id


def test_no_rule_says_it_is_not_enforced_yet() -> None:
    """R1..R36 are all enforced by this version: none carries a "Not enforced yet" note."""
    pending = [rule_id for rule_id, rule in RULES.items() if rule.pending]
    assert pending == []


def test_every_rule_id_the_source_cites_is_in_the_rulebook() -> None:
    """No message or docstring under src cites a rule the rules page does not list."""
    cited = cited_in_source()
    unknown = {rule: sorted(where) for rule, where in cited.items() if rule not in RULES}
    assert not unknown, f"cited but not in severa_ledger.domain.rulebook.RULES: {unknown}"
    assert {"R1", "R5", "R11", "R25", "R29"} <= set(cited)  # the scan finds the citations


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("subscription 1001: no free 'user' license (R5; pass buy_if_needed=True)", ["R5"]),
        ("(R4, R5)", ["R4", "R5"]),
        ("Schedule the move (R21-R24).", ["R21", "R22", "R23", "R24"]),
        ("as the order computed it (PEPPOL-EN16931-R120)", []),
        ("Swedish (R049) and Danish (R042), NO-R-001", []),
        ("R0, PR5, R5x", []),
    ],
)
def test_a_citation_is_r_and_a_number_not_a_peppol_rule(text: str, cited: list[str]) -> None:
    """rules_cited reads our ids and ranges, never Peppol's rule ids."""
    assert rules_cited(text) == cited


def test_rule_cited_anchor_and_hint_name_the_first_rule_of_a_message() -> None:
    """The hint an error printer adds: where to read the first rule the message cites."""
    message = "subscription 1001: removing 2 would leave 3 licenses for 4 active users (R5)"
    assert rule_cited(message) == "R5"
    assert rule_anchor("R5") == "rules.md#r5"
    assert rule_hint(message) == "see docs/rules.md#r5 (R5: Never more active users than licenses)"
    assert rule_cited("no rule here, nor R99") is None
    assert rule_hint("subscription 9999 not found") is None


def test_the_errors_under_a_rule_are_those_raised_citing_it() -> None:
    """R5 lists the two errors raised with (R5); R1 the two raised with (R1); R2 none."""
    citing = _hook().citing_errors()
    assert citing["R5"] == {"NoFreeLicenseError", "RemovalBelowActiveUsersError"}
    assert citing["R1"] == {"BeforeAnchorError", "InvalidPeriodError"}
    assert "R2" not in citing


def test_the_built_rules_page_lists_every_rule_under_its_anchor(site: Path) -> None:  # noqa: F811
    """docs/rules.md, built, holds each rule's id, title and anchor, and no marker."""
    page = (site / "rules" / "index.html").read_text(encoding="utf-8")
    assert "generated:" not in page
    for rule_id, rule in RULES.items():
        heading = f'<h3 id="{rule_id.lower()}">{rule_id}. {html.escape(rule.title, quote=False)}<'
        assert heading in page, rule_id
    assert 'href="../api/#severa_ledger.domain.errors.NoFreeLicenseError"' in page
