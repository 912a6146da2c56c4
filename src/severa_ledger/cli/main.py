"""The ``severa-ledger`` command: argument parsing, store opening and dispatch.

Every command opens the ledger at ``--db`` (else ``SEVERA_LEDGER_DB``, else the
SQLite file ``severa-ledger.db`` in the current folder), calls one Ledger
command or query and renders the result (:mod:`severa_ledger.cli.render`):
``--format table`` (rich tables) or ``--format json`` (one JSON document,
amounts as strings, ISO 8601 dates). A refusal
(:class:`~severa_ledger.LedgerError`) prints ``error: <message>`` on stderr and
exits with 2. The command line is the one place that reads the clock: today is
the default ``--as-of`` (:mod:`severa_ledger.cli.parser`).
"""

from __future__ import annotations

import os
import sys

from eventsourcing.persistence import MapperDeserialisationError, PersistenceError

from severa_ledger.cli.parser import build_parser
from severa_ledger.domain.errors import (
    LedgerError,
)
from severa_ledger.ledger.ledger import Ledger


def main(argv: list[str] | None = None) -> int:
    """Run ``severa-ledger``; return the exit code (2: refused; 1: verify found a problem)."""
    try:
        args = build_parser().parse_args(argv)
        with Ledger.open(args.db) as ledger:
            code = args.handler(ledger, args)
    except KeyboardInterrupt:
        print(
            "interrupted: what was committed before stays recorded, nothing is half-recorded; "
            "run the same command again to finish it",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:  # the reader (e.g. `head`) stopped: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except PersistenceError as error:
        print(f"error: the store could not be used: {error}", file=sys.stderr)
        return 2
    except MapperDeserialisationError as error:
        print(f"error: a stored event could not be read (is SEVERA_LEDGER_CIPHER_KEY the "
              f"store's key?): {error}", file=sys.stderr)  # fmt: skip
        return 2
    except (LedgerError, OSError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return code or 0


if __name__ == "__main__":
    raise SystemExit(main())
