"""``serve`` (the web app and JSON API) and ``keys`` (API keys, login links): docs/web.md.

FastAPI and uvicorn are imported by ``serve`` only: the core install has no
``web`` extra, and without it ``serve`` says how to install it (exit 2). Keys
need no extra: they are kept beside the events, in the same store.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.table import Table

from severa_ledger.cli.handlers import emit
from severa_ledger.cli.options import Subcommands, add_command, epilog, iso_date_arg
from severa_ledger.ledger.ledger import Ledger
from severa_ledger.store.environment import DEFAULT_URL
from severa_ledger.web.keys import KeyStore, open_key_store
from severa_ledger.web.secret import session_secret
from severa_ledger.web.settings import WebSettings

BAD_INPUT = 2
#: How long a login link works (it works once).
LOGIN_LINK_TTL = timedelta(minutes=15)
WEB_EXTRA = 'pip install "severa-ledger[web]"'
MAX_WORKERS = 64
LINK_EXAMPLE = "keys login-link --customer 1002 --base-url https://billing.example"


def store_url(args: argparse.Namespace) -> str:
    """Return the store URL the command runs on (``--db``, else the environment, else default)."""
    return str(args.db or os.environ.get("SEVERA_LEDGER_DB") or DEFAULT_URL)


def _keys(args: argparse.Namespace, *, create: bool = True) -> KeyStore:
    return open_key_store(store_url(args), create=create)


def cmd_serve(ledger: Ledger, args: argparse.Namespace) -> int:
    """Serve the pages and the JSON API on ``--host``:``--port`` until interrupted."""
    try:
        import uvicorn  # noqa: PLC0415 -- the web extra, only for serve

        from severa_ledger.web.app import create_app  # noqa: PLC0415 -- needs fastapi
    except ImportError as error:
        sys.stderr.write(
            f"error: serve needs the web extra ({error.name} is not installed): {WEB_EXTRA}\n"
        )
        return BAD_INPUT
    keys, url = _keys(args), store_url(args)
    secret = session_secret(url)  # made now if it is a new key file: before any worker reads it
    if args.workers > 1:
        return _serve_workers(args, url, uvicorn)
    pinned = args.today
    app = create_app(
        ledger,
        keys,
        secret=secret,
        settings=WebSettings.from_environ(os.environ),
        today=(lambda: pinned) if pinned else date.today,
    )
    uvicorn.Server(uvicorn.Config(app, **_listen(args))).run()
    return 0


def _listen(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "host": args.host,
        "port": args.port,
        "proxy_headers": True,
        "forwarded_allow_ips": args.forwarded_allow_ips,
    }


def _serve_workers(args: argparse.Namespace, url: str, uvicorn: Any) -> int:  # noqa: ANN401
    """Serve with ``--workers`` processes, each with its own ledger (docs/web.md)."""
    if url.startswith("memory:"):
        sys.stderr.write("error: --workers above 1 needs a stored ledger, not memory://\n")
        return BAD_INPUT
    from severa_ledger.web.served import worker_environ  # noqa: PLC0415 -- needs fastapi

    os.environ.update(worker_environ(url, args.today))
    uvicorn.run(
        "severa_ledger.web.served:worker_app", factory=True, workers=args.workers, **_listen(args)
    )
    return 0


def _workers(text: str) -> int:
    """Return the number of worker processes: a whole number from 1 to 64."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"--workers must be from 1 to {MAX_WORKERS}: {text!r}")
    return int(text)


def cmd_keys_create(ledger: Ledger, args: argparse.Namespace) -> None:
    """Make an API key for the operator or one customer; print it once."""
    if args.customer is not None:
        ledger.subscription(args.customer)  # SubscriptionNotFoundError if there is none
    label = args.label or ("operator" if args.customer is None else f"customer {args.customer}")
    key, principal = _keys(args).create(
        customer_number=args.customer, label=label, now=datetime.now(UTC)
    )
    scope = principal.customer_number or "operator"
    document = {
        "key_id": principal.key_id,
        "customer_number": principal.customer_number,
        "label": label,
        "key": key,
    }
    emit(args, document, f"key {principal.key_id} for {scope} (shown once, keep it secret):", key)


def cmd_keys_list(_: Ledger, args: argparse.Namespace) -> None:
    """Print every key's id, scope, label and state (never a secret)."""
    found = _keys(args, create=False).list()
    table = Table(title="API keys")
    for column in ("key id", "scope", "label", "created", "revoked"):
        table.add_column(column)
    for info in found:
        revoked = info.revoked_at.isoformat(timespec="seconds") if info.revoked_at else ""
        table.add_row(
            info.key_id,
            info.customer_number or "operator",
            info.label,
            info.created_at.isoformat(timespec="seconds"),
            revoked,
        )
    emit(args, found, table)


def cmd_keys_revoke(_: Ledger, args: argparse.Namespace) -> None:
    """Revoke a key: requests and sessions made with it stop working at once."""
    _keys(args).revoke(args.key_id)
    emit(args, {"key_id": args.key_id, "revoked": True}, f"key {args.key_id} revoked")


def cmd_keys_login_link(ledger: Ledger, args: argparse.Namespace) -> None:
    """Print a one-time login link for a customer, valid 15 minutes; it makes no key."""
    ledger.subscription(args.customer)  # SubscriptionNotFoundError if there is none
    now = datetime.now(UTC)
    token, link_of = _keys(args).issue_login_link(args.customer, now=now, ttl=LOGIN_LINK_TTL)
    link = f"{args.base_url.rstrip('/')}/login/{token}"
    expires = (now + LOGIN_LINK_TTL).isoformat(timespec="seconds")
    document = {
        "customer_number": args.customer,
        "link_id": link_of.key_id,
        "url": link,
        "expires_at": expires,
    }
    emit(args, document, f"one-time login link for {args.customer}, valid until {expires}:", link)


def add_web_commands(commands: Subcommands) -> None:
    """Add ``serve`` and ``keys`` to the command line."""
    serve = add_command(
        commands,
        "serve",
        cmd_serve,
        "the Subscription Management web app and JSON API",
        examples=(
            "serve",
            "serve --host 0.0.0.0 --port 8080 --workers 4",
            "serve --today 2025-06-05",
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="worker processes, each with its own ledger (default: 1; docs/web.md)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=None,
        metavar="IPS",
        help="reverse proxies trusted for X-Forwarded-* headers (default: "
        "$FORWARDED_ALLOW_IPS or 127.0.0.1; docs/web.md)",
    )
    serve.add_argument(
        "--today",
        type=iso_date_arg,
        default=None,
        metavar="DATE",
        help="the business date of every request, for demos and training "
        "(default: the server's clock)",
    )
    group = commands.add_parser(
        "keys",
        help="API keys and login links (docs/web.md)",
        description="API keys and login links (docs/web.md)",
        epilog=epilog("keys create --operator", "keys list", "keys revoke 3f2a9c0b1d4e"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = add_command(
        actions,
        "create",
        cmd_keys_create,
        "make a key (printed once)",
        examples=("keys create --operator", "keys create --customer 1002 --label anne"),
    )
    scope = create.add_mutually_exclusive_group(required=True)
    scope.add_argument("--operator", action="store_true", help="the seller's billing team")
    scope.add_argument("--customer", metavar="CUSTOMER", default=None, help="one customer")
    create.add_argument("--label", default=None, help="a note: who holds the key")
    add_command(
        actions,
        "list",
        cmd_keys_list,
        "every key (no secrets)",
        examples=("keys list", "keys list --format json"),
    )
    revoke = add_command(
        actions, "revoke", cmd_keys_revoke, "revoke a key", examples=("keys revoke 3f2a9c0b1d4e",)
    )
    revoke.add_argument("key_id", metavar="KEY_ID")
    link = add_command(
        actions,
        "login-link",
        cmd_keys_login_link,
        "a one-time login link for a customer (15 minutes)",
        examples=(LINK_EXAMPLE,),
    )
    link.add_argument("--customer", metavar="CUSTOMER", required=True)
    link.add_argument(
        "--base-url",
        default="http://127.0.0.1:8000",
        metavar="URL",
        help="where the app is served (default: http://127.0.0.1:8000)",
    )
