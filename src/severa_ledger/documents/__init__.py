"""Documents a customer receives, rendered from values: EHF XML, PDF; and bank statements read.

The renderers need the ``documents`` extra (lxml, typst, Babel); :func:`renderer`
imports one by name and turns a missing extra into one clear refusal.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

from severa_ledger.domain.errors import DocumentsUnavailableError


def renderer(name: str) -> ModuleType:
    """Return ``severa_ledger.documents.<name>``, or refuse if the documents extra is missing."""
    try:
        return import_module(f"{__name__}.{name}")
    except ImportError as error:
        if (error.name or "").startswith("severa_ledger"):
            raise
        raise DocumentsUnavailableError(
            f"documents need the documents extra ({error.name} is not installed): "
            "pip install 'severa-ledger[documents]'"
        ) from None
