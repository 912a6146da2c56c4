"""The e-mail channel: a delivery as a message over SMTP (``SEVERA_LEDGER_SMTP_URL``).

``smtp://user:password@host:587`` connects in plain text and upgrades with
STARTTLS when the server offers it (required before logging in);
``smtps://host:465`` connects with TLS. The message's ``Message-ID`` is the
delivery's ``message_id``: every attempt of one delivery carries the same,
so a mailbox or a receiving system can drop a repeat. The sender is the
seller's ``email`` in the sellers file (docs/sellers.md), else
``SEVERA_LEDGER_SMTP_FROM_<SELLER>`` (the seller's key upper-cased with ``-`` as
``_``), else ``SEVERA_LEDGER_SMTP_FROM``.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

import attrs

from severa_ledger.delivery.transport import Parcel, TransportError
from severa_ledger.domain.delivery import EMAIL
from severa_ledger.domain.delivery_errors import DeliveryConfigurationError

if TYPE_CHECKING:
    from severa_ledger.delivery.queries import DeliveryView

URL_SETTING = "SEVERA_LEDGER_SMTP_URL"
FROM_SETTING = "SEVERA_LEDGER_SMTP_FROM"
#: Seconds a connection or a reply may take.
TIMEOUT = 30
#: SMTP replies from this code on are permanent (RFC 5321 section 4.2.1).
PERMANENT = 500


def message_id(delivery: DeliveryView) -> str:
    """Return the ``Message-ID`` of every attempt of ``delivery``."""
    return f"<{delivery.message_id}@severa-ledger>"


def sender_setting(seller: str) -> str:
    """Return the setting naming the sender address of ``seller``."""
    return f"{FROM_SETTING}_{seller.upper().replace('-', '_')}"


def message(delivery: DeliveryView, parcel: Parcel, sender: str) -> EmailMessage:
    """Return the e-mail of one delivery: words, attachments and the delivery's Message-ID."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = delivery.recipient
    mail["Subject"] = parcel.subject
    mail["Message-ID"] = message_id(delivery)
    mail["Date"] = formatdate(usegmt=True)
    mail.set_content(parcel.body)
    for file in parcel.attachments:
        main, sub = file.media_type.split("/", 1)
        mail.add_attachment(file.content, maintype=main, subtype=sub, filename=file.filename)
    # Last: set_content and add_attachment drop or move a Content-* header set before them.
    mail["Content-Language"] = parcel.language
    return mail


@attrs.frozen
class SmtpTransport:
    """Sends deliveries as e-mail through one SMTP server."""

    host: str
    port: int
    tls: bool
    user: str | None
    password: str | None
    senders: Mapping[str, str]
    channel: str = EMAIL

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> SmtpTransport | None:
        """Return the transport the settings describe (None without ``SEVERA_LEDGER_SMTP_URL``)."""
        url = settings.get(URL_SETTING)
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise DeliveryConfigurationError(
                f"{URL_SETTING} must be smtp://[user:password@]host[:port] or smtps://..., "
                f"got scheme {parts.scheme!r}"
            )
        tls = parts.scheme == "smtps"
        senders = {k: v for k, v in settings.items() if k.startswith(FROM_SETTING)}
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 587),
            tls=tls,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            senders=senders,
        )

    def sender(self, seller: str, configured: str | None = None) -> str:
        """Return the sender: ``configured`` (sellers file), else its setting, else the default."""
        found = (
            configured or self.senders.get(sender_setting(seller)) or self.senders.get(FROM_SETTING)
        )
        if not found:
            raise TransportError(
                f"no sender address for seller {seller}: give it an email in the sellers file, "
                f"or set {sender_setting(seller)} or {FROM_SETTING}",
            )
        return found

    def _connect(self) -> smtplib.SMTP:
        if self.tls:
            context = ssl.create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        elif self.user:
            smtp.quit()
            raise TransportError(
                f"{self.host}:{self.port} offers no STARTTLS: refusing to send the password "
                "in plain text (use smtps:// or a server with STARTTLS)"
            )
        return smtp

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Send the parcel to the delivery's recipient; return the server's acceptance."""
        mail = message(delivery, parcel, self.sender(parcel.seller, parcel.sender))
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise TransportError(f"recipient refused: {error.recipients}", permanent=True) from None
        except smtplib.SMTPAuthenticationError as error:  # the settings, not this delivery
            raise TransportError(f"login refused: {error.smtp_code}") from None
        except smtplib.SMTPResponseException as error:
            reply = error.smtp_error
            text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
            permanent = error.smtp_code >= PERMANENT
            raise TransportError(f"{error.smtp_code} {text}", permanent=permanent) from None
        except (OSError, smtplib.SMTPException) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from None
        return f"accepted by {self.host}:{self.port} as {message_id(delivery)}"
