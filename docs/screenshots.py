# ruff: noqa: INP001 -- a script beside the docs, not a package
"""Take the web pages' screenshots for the docs: ``python docs/screenshots.py``.

Runs the browser walk (tests/web/test_browser.py) with SEVERA_LEDGER_SCREENSHOTS
pointing at docs/img, which saves web-customer.png, web-buy-quote.png and
web-operator.png there. Needs /usr/bin/chromium.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    """Run the walk with screenshots on; return pytest's exit code."""
    env = {**os.environ, "SEVERA_LEDGER_SCREENSHOTS": str(ROOT / "docs" / "img"),
           "SEVERA_LEDGER_REQUIRE_BROWSER": "1"}  # fmt: skip
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/web/test_browser.py"]  # fmt: skip
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    raise SystemExit(main())
