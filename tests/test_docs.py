"""The Python examples in README.md and docs/ run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[str, str]]:
    """Return (document, code) for every Python block in the docs."""
    return [(p.name, code) for p in DOCS if p.exists() for code in BLOCK.findall(p.read_text())]


@pytest.mark.parametrize(("document", "code"), examples(), ids=lambda v: str(v)[:40])
def test_documented_example_runs(
    document: str, code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each example runs in an empty folder (its SQLite file lands there)."""
    monkeypatch.chdir(tmp_path)
    exec(compile(code, document, "exec"), {"__name__": "__doc_example__"})  # noqa: S102


def test_readme_has_an_example() -> None:
    """The README shows how to embed the ledger."""
    assert any(document == "README.md" for document, _ in examples())
