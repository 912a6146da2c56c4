"""Real receivers for the delivery tests: an SMTP server (aiosmtpd) that keeps every message."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from aiosmtpd.controller import Controller


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """An aiosmtpd handler: keeps each accepted message; ``reply`` may refuse one."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        #: Called with the message before it is accepted; returns an SMTP reply to refuse it.
        self.reply: Callable[[EmailMessage], str | None] = lambda _message: None
        #: Called after a message was kept (the crash test kills the sender here).
        self.accepted: Callable[[EmailMessage], None] = lambda _message: None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message (or refuse it as ``reply`` says)."""
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        refusal = self.reply(message)
        if refusal is not None:
            return refusal
        with self.lock:
            self.messages.append(message)
        self.accepted(message)
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        """Return the Message-ID of every message kept, in arrival order."""
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


class SmtpServer:
    """An SMTP server on 127.0.0.1 in a thread of this process."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        """Return the server's ``SEVERA_LEDGER_SMTP_URL``."""
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


class HttpReceiver:
    """An HTTP server on 127.0.0.1 in a thread of this process: keeps each POSTed body."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        #: The headers of each kept body (lower-case names), in the same order.
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        #: Called after a body was kept (the crash test kills the sender here).
        self.accepted: Callable[[bytes], None] = lambda _body: None
        #: The status every POST is answered with (202: taken).
        self.answer = 202
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.answer < 300:
                    with receiver.lock:
                        receiver.bodies.append(body)
                        receiver.headers.append({k.lower(): v for k, v in self.headers.items()})
                    receiver.accepted(body)
                self.send_response(receiver.answer)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                """Print nothing."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the receiver's URL."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/peppol"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
