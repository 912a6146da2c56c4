"""The package keeps its shape: layer contracts hold, no module outgrows its room."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "severa_ledger"
#: Modules stay near 300 lines (docs/architecture.md); this is where a split is due.
MOST_LINES = 350


def test_imports_point_one_way_and_form_no_cycle():
    """import-linter's contracts in pyproject.toml hold (docs/architecture.md)."""
    script = (
        "from importlinter.cli import lint_imports; "
        "raise SystemExit(lint_imports(no_cache=True, no_logo=True))"
    )
    done = subprocess.run(  # noqa: S603 -- this interpreter, a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_no_module_is_longer_than_its_room():
    """Every module of the package has at most MOST_LINES lines."""
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert long == {}


def test_every_layer_is_a_package_with_a_docstring():
    """Each folder of docs/architecture.md exists and says what it holds."""
    for layer in ("domain", "store", "projections", "reader", "workers", "billing", "audit",
                  "documents", "ledger", "cli", "testing"):  # fmt: skip
        init = PACKAGE / layer / "__init__.py"
        assert init.read_text(encoding="utf-8").startswith('"""'), layer
