"""Real receivers for the delivery tests: an SMTP server (aiosmtpd) that keeps every message."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Callable
from email.message import EmailMessage
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
