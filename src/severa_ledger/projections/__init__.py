"""Read models: each a pure fold over events, plus its runner (docs/projections.md).

* ``rows``: tables of immutable rows, changes (upserts, deletes), the fold's view;
* ``subscriptions``, ``invoice_lines``, ``receivables``, ``deliveries``: the read models, a
  handler per event, named after it;
* ``runner``: catch-up, rebuild, status and follow: the I/O and the tracking;
* ``store`` (memory), ``sql`` and ``dialects`` (SQLite, PostgreSQL): where rows live.
"""
