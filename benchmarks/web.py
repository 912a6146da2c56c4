"""``python -m benchmarks.web``: requests per second of the served app (docs/web.md).

Loads the demo into a SQLite file, starts ``severa-ledger serve`` (uvicorn, one
process) in a subprocess, and measures with httpx clients (keep-alive, a few
concurrent workers, each with its own connection):

* the customer's main page, ``GET /c/1002``, with a session from a one-time
  login link (skipped when the pages are not there);
* a JSON query, ``GET /api/v1/subscriptions/1002/licenses``, with a customer key.

    python -m benchmarks.web                      # 4 workers, 5 s a figure
    python -m benchmarks.web --workers 8 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.web.keys import open_key_store

CUSTOMER = "1002"
PAGE = f"/c/{CUSTOMER}"
QUERY = f"/api/v1/subscriptions/{CUSTOMER}/licenses"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(url: str, *, log: Path | None = None) -> Iterator[str]:
    """Run ``severa-ledger --db URL serve`` on a free port; yield its base URL.

    Its output goes to ``log`` (else nowhere). Raise RuntimeError, with the log,
    when it does not answer ``/healthz`` within 30 s. The tests of ``serve`` use it too.
    """
    port = free_port()
    out = log.open("w") if log else None
    try:
        process = subprocess.Popen(  # noqa: S603 -- our own command, fixed arguments
            [sys.executable, "-m", "severa_ledger.cli", "--db", url, "serve", "--port",
             str(port)], stdout=out or subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
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


def rate(base: str, path: str, *, workers: int, seconds: float, **client: object) -> float:
    """Return the requests per second ``workers`` keep-alive clients get from ``path``."""
    counts = [0] * workers
    failures: list[str] = []
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        with httpx.Client(base_url=base, **client) as session:  # type: ignore[arg-type]
            session.get(path)  # connect and warm up outside the count
            while time.monotonic() < stop:
                response = session.get(path)
                if response.status_code != 200:
                    failures.append(f"{path}: {response.status_code}")
                    return
                counts[index] += 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(workers)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(failures[0])
    return sum(counts) / (time.monotonic() - started)


def session_cookies(base: str, url: str) -> httpx.Cookies | None:
    """Return a customer's session cookies from a one-time login link (None: no pages)."""
    keys, now = open_key_store(url), datetime.now(UTC)
    _, principal = keys.create(customer_number=CUSTOMER, label="benchmark", now=now)
    token = keys.issue_login_token(principal, now=now, ttl=timedelta(minutes=5))
    with httpx.Client(base_url=base) as client:
        response = client.get(f"/login/{token}")
        if response.status_code != 303 or client.get(PAGE).status_code != 200:
            return None
        return client.cookies


def main(argv: list[str] | None = None) -> None:
    """Measure and print both figures (and one JSON line)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.web")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        with Ledger.open(url) as ledger:
            load_demo(ledger)
            ledger.run_billing(through=date(2025, 8, 31))
        key, _ = open_key_store(url).create(customer_number=CUSTOMER, label="benchmark",
                                            now=datetime.now(UTC))  # fmt: skip
        figures: dict[str, float | None] = {}
        with served(url) as base:
            cookies = session_cookies(base, url)
            figures["page_rps"] = None if cookies is None else rate(
                base, PAGE, workers=args.workers, seconds=args.seconds, cookies=cookies
            )  # fmt: skip
            figures["json_rps"] = rate(base, QUERY, workers=args.workers, seconds=args.seconds,
                                       headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    page = figures["page_rps"]
    print(f"{args.workers} keep-alive workers, {args.seconds:g} s each, one uvicorn process:")
    print(
        f"  GET {PAGE} (session): " + ("skipped: no pages" if page is None else f"{page:.0f} req/s")
    )
    print(f"  GET {QUERY} (key): {figures['json_rps']:.0f} req/s")
    print(json.dumps({"workers": args.workers, "seconds": args.seconds, **figures}))


if __name__ == "__main__":
    main()
