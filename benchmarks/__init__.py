"""Throughput of severa-ledger next to the raw database driver, measured in the same run.

Run ``python -m benchmarks`` (see ``benchmarks/__main__.py``); the figures of
the last full run are in ``docs/performance.md``.
"""
