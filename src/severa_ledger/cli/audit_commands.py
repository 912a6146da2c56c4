"""The audit and read-model subcommands: ``verify``, ``seal``, ``export`` and ``projections``."""

from __future__ import annotations

import argparse

from severa_ledger.cli.documents import force_option
from severa_ledger.cli.handlers import (
    cmd_export,
    cmd_projections_catch_up,
    cmd_projections_follow,
    cmd_projections_rebuild,
    cmd_projections_status,
    cmd_seal,
    cmd_verify,
)
from severa_ledger.cli.options import Subcommands, add_command, epilog, iso_date_arg
from severa_ledger.reader.read_models import POLL_INTERVAL, projections


def add_audit_commands(commands: Subcommands) -> None:
    """Add ``verify``, ``seal`` and ``export``."""
    verify = add_command(
        commands,
        "verify",
        cmd_verify,
        "check the hash chain, the seal and re-derived documents",
        examples=("verify", "verify --seal seal.json"),
    )
    verify.add_argument(
        "--seal",
        metavar="FILE_OR_JSON",
        default=None,
        help="a seal (JSON, or a file holding it) the log must extend",
    )
    verify.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes re-deriving documents (default: one per core, up to 4, "
        "from 80,000 events on a file or server store)",
    )
    seal = add_command(
        commands,
        "seal",
        cmd_seal,
        "print the chain's head, to keep apart",
        examples=("seal > seal.json", "seal --format table"),
        default_format="json",
    )
    seal.add_argument(
        "--extend",
        action="store_true",
        help="first chain the stored events no digest covers (a store older than "
        "the chain, or one whose chain was removed): an explicit re-chain, "
        "recorded and shown by verify",
    )
    export = add_command(
        commands,
        "export",
        cmd_export,
        "write the log as JSON Lines or CSV",
        examples=(
            "export --output log.jsonl",
            "export --format csv --customer C1 --from 2025-06-01",
        ),
        formats=("jsonl", "csv"),
        default_format="jsonl",
    )
    export.add_argument("--customer", metavar="CUSTOMER", default=None, help="one customer only")
    export.add_argument(
        "--from",
        dest="since",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="events effective on or after DATE",
    )
    export.add_argument(
        "--to",
        dest="until",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="events effective on or before DATE",
    )
    export.add_argument("--output", metavar="FILE", default=None, help="file (default: stdout)")
    force_option(export)


def add_projection_commands(commands: Subcommands) -> None:
    """Add ``projections status``, ``catch-up``, ``rebuild`` and ``follow``."""
    group = commands.add_parser(
        "projections",
        help="the read models (docs/projections.md)",
        description="the read models (docs/projections.md)",
        epilog=epilog("projections status", "projections rebuild receivables"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    add_command(
        actions,
        "status",
        cmd_projections_status,
        "position and lag of each read model",
        examples=("projections status --format json",),
    )
    add_command(
        actions,
        "catch-up",
        cmd_projections_catch_up,
        "fold every event not yet applied",
        examples=("projections catch-up",),
    )
    rebuild = add_command(
        actions,
        "rebuild",
        cmd_projections_rebuild,
        "drop a read model and fold it again from the first event",
        examples=("projections rebuild receivables",),
    )
    names = [p.name for p in projections()]
    rebuild.add_argument("name", choices=names, metavar="NAME", help=", ".join(names))
    follow = add_command(
        actions,
        "follow",
        cmd_projections_follow,
        "keep the read models current as other processes record events",
        examples=("projections follow --seconds 60",),
    )
    follow.add_argument(
        "--seconds",
        type=float,
        default=None,
        metavar="N",
        help="stop after N seconds (default: at SIGINT or SIGTERM)",
    )
    follow.add_argument(
        "--interval",
        type=float,
        default=POLL_INTERVAL,
        metavar="S",
        help=f"poll the log every S seconds when no notification comes (default: {POLL_INTERVAL})",
    )
