"""The command catalogue: every command defined once, read alike by every edge.

See :mod:`severa_ledger.ledger.catalogue.commands` for the definitions and
docs/architecture.md ("One command catalogue") for how the edges derive from it.
"""

from __future__ import annotations

from severa_ledger.ledger.catalogue.checked import catalogued
from severa_ledger.ledger.catalogue.command import Command, Dating, Param, Role
from severa_ledger.ledger.catalogue.commands import COMMAND_ID, COMMANDS
from severa_ledger.ledger.catalogue.schema import body_schema

__all__ = [
    "COMMANDS",
    "COMMAND_ID",
    "Command",
    "Dating",
    "Param",
    "Role",
    "body_schema",
    "catalogued",
]
