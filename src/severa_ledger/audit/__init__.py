"""Auditing: checking the hash chain, re-deriving documents, seals, export.

The modules here read the stored log; the chain itself is written with every
save by the store's recorders (:mod:`severa_ledger.store.recorders`). The
walkthrough is ``docs/auditing.md``.
"""
