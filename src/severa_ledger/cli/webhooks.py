"""``webhooks add|list|remove|resend``: the operator's webhook endpoints (R35, docs/delivery.md).

``add`` and ``remove`` are the catalogue's ``add_webhook_endpoint`` and
``remove_webhook_endpoint``, read as text like every write command and dated
today unless ``--on`` says otherwise. ``add`` prints the endpoint's signing
secret once: it is derived from the server secret (``SEVERA_LEDGER_SECRET`` or
the key file beside the store), never recorded.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from typing import TYPE_CHECKING

from rich.table import Table

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command, epilog
from severa_ledger.cli.web_commands import store_url
from severa_ledger.delivery.webhook_routes import webhook_parcel
from severa_ledger.domain.delivery import WEBHOOK
from severa_ledger.ledger.catalogue import COMMAND_ID, COMMANDS, Dating
from severa_ledger.store.secret import server_secret

if TYPE_CHECKING:
    from collections.abc import Callable

    from severa_ledger.delivery.parcels import Packer
    from severa_ledger.delivery.transport import Transport
    from severa_ledger.ledger.ledger import Ledger

ADD_EXAMPLE = "webhooks add https://erp.example/hooks --events invoice.issued,payment.recorded"


def _dating() -> Dating:
    return Dating("operator", today=date.today())  # noqa: DTZ011 -- the CLI edge reads the clock


def _command_id(args: argparse.Namespace) -> str | None:
    return None if args.command_id is None else str(COMMAND_ID.read(args.command_id, json=False))


def cmd_webhooks_add(ledger: Ledger, args: argparse.Namespace) -> None:
    """Add an endpoint; print its id and its signing secret (once)."""
    given = {"url": args.url, "events": args.events, "on": args.on}
    kwargs = COMMANDS["add_webhook_endpoint"].bind_text(given, _dating())
    endpoint_id = ledger.add_webhook_endpoint(**kwargs, command_id=_command_id(args))
    endpoint = ledger.webhook_endpoint(endpoint_id)
    secret = ledger.webhook_secret(endpoint_id, server_secret(store_url(args)))
    document = {"endpoint": endpoint, "secret": secret}
    emit(
        args,
        document,
        f"webhook endpoint {endpoint_id} for {endpoint.url} ({', '.join(endpoint.events)}); "
        "its signing secret (shown once, keep it secret):",
        secret,
    )


def cmd_webhooks_list(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print every endpoint not removed (never a secret)."""
    endpoints = ledger.webhook_endpoints()
    table = Table(title="Webhook endpoints")
    for column in ("id", "url", "events", "added on"):
        table.add_column(column)
    for endpoint in endpoints:
        table.add_row(
            endpoint.endpoint_id,
            endpoint.url,
            ", ".join(endpoint.events),
            endpoint.added_on.isoformat(),
        )
    emit(args, endpoints, table if endpoints else "no webhook endpoints")


def cmd_webhooks_remove(ledger: Ledger, args: argparse.Namespace) -> None:
    """Remove an endpoint: nothing more is sent to it."""
    given = {"endpoint_id": args.endpoint_id, "on": args.on}
    kwargs = COMMANDS["remove_webhook_endpoint"].bind_text(given, _dating())
    ledger.remove_webhook_endpoint(**kwargs, command_id=_command_id(args))
    document = {"endpoint_id": kwargs["endpoint_id"], "removed": True}
    emit(args, document, f"webhook endpoint {kwargs['endpoint_id']} removed")


def cmd_webhooks_resend(ledger: Ledger, args: argparse.Namespace) -> None:
    """Record a new delivery of a webhook (a new webhook-id); ``deliver`` sends it."""
    given = {"delivery_id": args.delivery_id, "on": args.on}
    kwargs = COMMANDS["resend_webhook"].bind_text(given, _dating())
    made = ledger.resend_webhook(**kwargs, command_id=_command_id(args))
    document = {"delivery_id": kwargs["delivery_id"], "new_delivery": made}
    emit(args, document, f"webhook delivery {made} recorded (deliver sends it)")


def webhook_channel(
    ledger: Ledger, args: argparse.Namespace, clock: Callable[[], datetime]
) -> tuple[dict[str, Transport], dict[str, Packer]]:
    """Return ``deliver``'s webhook transport (none without the webhooks extra) and packer."""
    packers: dict[str, Packer] = {WEBHOOK: webhook_parcel}
    try:
        from severa_ledger.delivery.webhooks import WebhookTransport  # noqa: PLC0415 -- extra
    except ImportError:  # the webhooks extra is not installed: webhook deliveries wait
        return {}, packers
    transport = WebhookTransport(ledger, server_secret(store_url(args)), clock)
    return {WEBHOOK: transport}, packers


def _dated(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--on", default=None, metavar="DATE", help="the date (default: today)")
    parser.add_argument("--command-id", default=None, metavar="ID", help=COMMAND_ID.doc)


def add_webhook_commands(commands: Subcommands) -> None:
    """Add ``webhooks add|list|remove`` to the command line."""
    group = commands.add_parser(
        "webhooks",
        help="webhook endpoints (docs/delivery.md)",
        description="webhook endpoints (docs/delivery.md)",
        epilog=epilog(ADD_EXAMPLE, "webhooks list", "webhooks remove we_1"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = add_command(
        actions,
        "add",
        cmd_webhooks_add,
        "add an endpoint (its secret printed once)",
        examples=(ADD_EXAMPLE,),
    )
    add.add_argument("url", metavar="URL", help="the endpoint's http(s) URL")
    events = COMMANDS["add_webhook_endpoint"].by_name["events"]
    add.add_argument("--events", default=None, metavar="EVENTS", help=events.doc)
    _dated(add)
    add_command(
        actions,
        "list",
        cmd_webhooks_list,
        "every endpoint (no secrets)",
        examples=("webhooks list", "webhooks list --format json"),
    )
    remove = add_command(
        actions,
        "remove",
        cmd_webhooks_remove,
        "remove an endpoint",
        examples=("webhooks remove we_1",),
    )
    remove.add_argument("endpoint_id", metavar="ID")
    _dated(remove)
    resend = add_command(
        actions,
        "resend",
        cmd_webhooks_resend,
        "send a webhook again, as a new delivery (deliveries lists the ids)",
        examples=("webhooks resend 0f8c2a4e-5d1b-5c3e-9a7f-2b6d4e8c1a3f",),
    )
    resend.add_argument("delivery_id", metavar="DELIVERY_ID")
    _dated(resend)
