"""Item 4's own module, ``benchmarks/projections.py``, run when it exists.

The projections work brings its own benchmark module. When it is present
and has an entry function, ``python -m benchmarks`` calls it with the store
kind and the run's options and reports what it returns; otherwise item 4
is reported as not available yet (the billed store's ``Ledger.catch_up``, if
the ledger has one, is measured by ``benchmarks.billing`` regardless).
"""

from __future__ import annotations

import importlib
import inspect
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from benchmarks.stores import Stores

ENTRY_POINTS = ("run", "measure", "benchmark", "main")
NOT_AVAILABLE = "not available yet"


def run(stores: Stores, args: argparse.Namespace) -> Any:  # noqa: ANN401 -- its own figures
    """Return the figures of ``benchmarks.projections``, or "not available yet"."""
    try:
        module = importlib.import_module("benchmarks.projections")
    except ModuleNotFoundError as error:
        if error.name == "benchmarks.projections":
            return NOT_AVAILABLE
        raise
    entry = next(
        (getattr(module, n) for n in ENTRY_POINTS if callable(getattr(module, n, None))), None
    )
    if entry is None:
        return f"{NOT_AVAILABLE} (benchmarks/projections.py has no {'/'.join(ENTRY_POINTS)})"
    offered = {
        "stores": stores,
        "store": stores.kind,
        "kind": stores.kind,
        "args": args,
        "quick": args.quick,
        "runs": args.runs,
        "customers": args.customers,
    }
    wanted = inspect.signature(entry).parameters
    try:
        return entry(**{name: offered[name] for name in wanted if name in offered})
    except Exception as error:  # noqa: BLE001 -- its failure must not lose the other figures
        return f"failed: {type(error).__name__}: {error}"
