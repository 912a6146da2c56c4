"""Delivery (R35): documents sent to their customers, each attempt and outcome recorded.

The follower (``follower``) records a :class:`~severa_ledger.domain.delivery.Delivery`
for every document and channel as documents appear in the log; the runner
(``runner``) sends what is due through the channels' transports (``email``,
``peppol``) and records every attempt and outcome. docs/delivery.md.
"""
