"""A billing worker process: ``python -m severa_ledger.billing_worker`` (see billing_pool).

It reads the ledger's settings, then chunks of customers, as pickles on its
standard input, and answers each chunk with a pickle on its standard output:
``("ok", (findings, events saved))`` or ``("error", exception)``.
"""

from __future__ import annotations

import os
import pickle
import sys

from severa_ledger.billing_run import advance_chunk


def main() -> None:
    """Serve chunks from the parent until it closes the pipe (the worker process)."""
    received, sent = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, never into the results pipe
    cls, env, sellers, vat, weekday = pickle.load(received)  # noqa: S301 -- from our parent
    ledger = cls(env, sellers=sellers, vat=vat, invoice_weekday=weekday)
    while True:
        try:
            chunk, through = pickle.load(received)  # noqa: S301 -- from our parent
        except EOFError:
            return
        try:
            reply: tuple[str, object] = ("ok", advance_chunk(ledger, chunk, through))
        except Exception as error:  # noqa: BLE001 -- raised again in the parent
            reply = ("error", error)
        pickle.dump(reply, sent, protocol=pickle.HIGHEST_PROTOCOL)
        sent.flush()


if __name__ == "__main__":
    main()
