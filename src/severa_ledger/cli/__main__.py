"""``python -m severa_ledger.cli``: the same as the ``severa-ledger`` command."""

from severa_ledger.cli.main import main

raise SystemExit(main())
