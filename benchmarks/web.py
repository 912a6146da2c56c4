"""``python -m benchmarks.web``: the served app under concurrent clients (docs/web.md).

For each store (``--store sqlite,postgresql``) it loads the demo, starts
``severa-ledger serve --workers N`` in a subprocess and measures with
``--clients`` keep-alive clients (:mod:`benchmarks.web_load`): p50/p99 and
requests/s of two API reads, then, with ``--subscriptions`` more seeded into
the read model, of the first page of the API's list and of the operator's page.

    python -m benchmarks.web                                  # 30 clients, 2 workers, SQLite
    python -m benchmarks.web --store sqlite,postgresql --subscriptions 100000
    python -m benchmarks.web --serve-workers 1 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from benchmarks.stores import Stores
from benchmarks.web_load import (
    LISTS,
    READS,
    credentials,
    demo_store,
    latencies,
    seed_subscriptions,
)
from severa_ledger.store.secret import SECRET_VARIABLE

#: The server secret of a benchmark's app (no key file is written).
SECRET = "benchmark-secret-" + "0" * 32


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(url: str, *, log: Path | None = None, workers: int = 1) -> Iterator[str]:
    """Run ``severa-ledger --db URL serve --workers N`` on a free port; yield its base URL.

    Its output goes to ``log`` (else nowhere). Raise RuntimeError, with the log,
    when it does not answer ``/healthz`` within 30 s. The tests of ``serve`` use it too.
    """
    port = free_port()
    out = log.open("w") if log else None
    try:
        process = subprocess.Popen(  # noqa: S603 -- our own command, fixed arguments
            [
                sys.executable,
                "-m",
                "severa_ledger.cli",
                "--db",
                url,
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            stdout=out or subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            env={**os.environ, SECRET_VARIABLE: SECRET},
        )
    finally:
        if out is not None:
            out.close()
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=15)


def _wait_for(base: str, log: Path | None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    output = log.read_text() if log else ""
    message = f"serve did not answer within 30 s {output}"
    raise RuntimeError(message)


def measure(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """Return the figures of one store: the reads, then the lists after seeding."""
    figures: dict[str, Any] = {"store": kind, "serve_workers": args.serve_workers}
    with Stores(kind) as stores:
        url = stores.fresh("web")
        demo_store(url)
        with served(url, workers=args.serve_workers) as base:
            given = credentials(url, base)
            for name, path in READS.items():
                figures[name] = latencies(
                    base, path, clients=args.clients, seconds=args.seconds, **given["customer"]
                )
        figures["subscriptions"] = args.subscriptions
        figures["seed_seconds"] = round(seed_subscriptions(url, args.subscriptions), 1)
        with served(url, workers=args.serve_workers) as base:
            given = credentials(url, base)
            for name, template in LISTS.items():
                path = template.format(last=max(0, args.subscriptions - 100))
                who = given["session" if name == "operator_page" else "operator"]
                figures[f"{name}_alone"] = latencies(
                    base, path, clients=1, seconds=args.seconds / 2, **who
                )
                figures[name] = latencies(
                    base, path, clients=args.clients, seconds=args.seconds, **who
                )
    return figures


def web_figures(kind: str, *, quick: bool) -> dict[str, Any]:
    """Return ``python -m benchmarks``'s web figures of one store (30 clients, 2 workers)."""
    return measure(kind, parse(["--subscriptions", "2000", "--seconds", "3"] if quick else []))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Return the options (module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web")
    parser.add_argument("--store", default="sqlite", help="sqlite, postgresql, or both")
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--serve-workers", type=int, default=2, help="serve --workers N")
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    return parser.parse_args(argv)


def print_figures(figures: dict[str, Any]) -> None:
    """Print one line per measured path."""
    print(
        f"{figures['store']}: serve --workers {figures['serve_workers']}, "
        f"{figures['subscriptions']:,} subscriptions seeded in {figures['seed_seconds']} s"
    )
    for name, found in figures.items():
        if isinstance(found, dict):
            print(
                f"  {name:<20} {found['clients']:>3} clients  p50 {found['p50_ms']:>7.1f} ms  "
                f"p99 {found['p99_ms']:>7.1f} ms  {found['rps']:>7.1f} req/s"
            )


def main(argv: list[str] | None = None) -> None:
    """Measure every store; print the figures and one JSON line."""
    args = parse(argv)
    found = [measure(kind, args) for kind in args.store.split(",")]
    for figures in found:
        print_figures(figures)
    print(json.dumps({"clients": args.clients, "seconds": args.seconds, "stores": found}))


if __name__ == "__main__":
    main()
