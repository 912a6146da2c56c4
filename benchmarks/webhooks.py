"""``python -m benchmarks.webhooks``: webhooks a second to a local receiver (docs/delivery.md).

Starts a receiver (``http.server``, threaded, answering 204) on 127.0.0.1 and
measures two figures:

* **signed POSTs**: ``post()`` alone (sign with ``standardwebhooks``, urllib POST, a
  new connection each), one after another;
* **deliver**: the whole channel on a SQLite store: the demo billed through
  2025-08-31 and ``--payments`` payments recorded with one endpoint listening to
  every notice; one ``deliver`` run records a delivery per notice (the follower),
  then claims, signs, POSTs and records the outcome of each, three saves a webhook.

    python -m benchmarks.webhooks                 # 300 POSTs, 300 payments
    python -m benchmarks.webhooks --posts 1000 --payments 1000
"""

from __future__ import annotations

import argparse
import base64
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from severa_ledger import Ledger
from severa_ledger.cli.demo import load_demo
from severa_ledger.delivery.runner import Sending, deliver
from severa_ledger.delivery.webhook_payloads import body, payment_recorded
from severa_ledger.delivery.webhook_routes import webhook_parcel
from severa_ledger.delivery.webhooks import WebhookTransport, post

SERVER_SECRET = b"benchmark-server-secret-0123456789"
SECRET = "whsec_" + base64.b64encode(b"b" * 32).decode()
MESSAGE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"


class _Quiet(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        return


@contextmanager
def receiver() -> Iterator[str]:
    """Serve a 204-answering receiver; yield its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


def signed_posts(url: str, count: int) -> float:
    """Return signed POSTs a second, one after another."""
    payload = body(
        "payment.recorded",
        date(2025, 6, 2),
        payment_recorded("1002", "VSOY-000002", Decimal("185.87"), "NOK", date(2025, 6, 2)),
    )
    start = time.perf_counter()
    for _ in range(count):
        post(url, SECRET, MESSAGE, payload, at=datetime.now(UTC))
    return count / (time.perf_counter() - start)


def delivered(url: str, payments: int, folder: Path) -> tuple[int, float]:
    """Return the webhooks one ``deliver`` sent and their rate, on a SQLite store."""
    with Ledger.open(f"sqlite:///{folder / 'hooks.db'}") as ledger:
        ledger.add_webhook_endpoint(url, on=date(2025, 1, 1))
        load_demo(ledger)
        ledger.run_billing(through=date(2025, 8, 31))
        number = ledger.invoices("1002")[0].number
        for _ in range(payments):
            ledger.record_payment(number, Decimal("0.01"), on=date(2025, 8, 31))
        clock = lambda: datetime.now(UTC)  # noqa: E731 -- the run's wall clock
        transport = WebhookTransport(ledger, SERVER_SECRET, clock)
        sending = Sending({"webhook": transport}, clock, packers={"webhook": webhook_parcel})
        start = time.perf_counter()
        report = deliver(ledger, sending, today=date(2025, 8, 31))
        seconds = time.perf_counter() - start
    return report.sent, report.sent / seconds


def main() -> None:
    """Measure and print both figures, then one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=300)
    parser.add_argument("--payments", type=int, default=300)
    args = parser.parse_args()
    with receiver() as url, tempfile.TemporaryDirectory() as folder:
        posts = signed_posts(url, args.posts)
        sent, rate = delivered(url, args.payments, Path(folder))
    print(f"signed POSTs to a local receiver: {posts:,.0f}/s ({args.posts} sent)")
    print(f"deliver, recorded and sent:       {rate:,.0f} webhooks/s ({sent} sent, SQLite)")
    print(json.dumps({"signed_posts_per_s": round(posts), "deliver_webhooks_per_s": round(rate)}))


if __name__ == "__main__":
    main()
