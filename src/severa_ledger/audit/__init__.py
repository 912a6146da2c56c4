"""Auditing: the hash chain over the log, re-derivation of documents, export, time travel.

The modules here read the stored log; the only thing they write is the chain
of digests beside it (:mod:`severa_ledger.audit.stores`). The walkthrough is
``docs/auditing.md``.

This package imports nothing at import time, so that :mod:`severa_ledger.queries`
can use :mod:`severa_ledger.audit.known` without a cycle.
"""
