"""The terminal edge: argument parsing, rendering, command files, the demo."""

from severa_ledger.cli.main import main

__all__ = ["main"]
