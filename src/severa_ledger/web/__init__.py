"""The web edge: the Subscription Management pages and the JSON API (docs/web.md).

An edge like ``cli/``: it parses requests, calls the :class:`~severa_ledger.Ledger`
and renders; it holds no business rule. Nothing is imported here, so the core
install (without the ``web`` extra) can still import :mod:`severa_ledger.web.keys`.
"""
