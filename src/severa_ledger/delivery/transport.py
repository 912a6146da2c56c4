"""What a channel's transport is given and how it reports: the parcel, the protocol, the error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import attrs

if TYPE_CHECKING:
    from severa_ledger.delivery.queries import DeliveryView


@attrs.frozen
class Attachment:
    """A file sent with a message: its name, media type and bytes."""

    filename: str
    media_type: str
    content: bytes


@attrs.frozen
class Parcel:
    """A document ready to send: its words in the buyer's language, its files, its EHF XML."""

    kind: str
    document: str
    customer_number: str
    #: The seller's key (configuration chooses the e-mail sender by it).
    seller: str
    language: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...]
    #: The EHF / Peppol BIS 3 UBL XML of an invoice or credit note.
    xml: bytes | None = None
    #: A webhook's JSON body.
    payload: bytes | None = None
    #: The seller's configured sender address (the sellers file's ``email``), if it has one.
    sender: str | None = None


class TransportError(Exception):
    """Raised by a transport when the receiver did not take the message.

    A ``permanent`` failure (a refused address, a document that cannot be
    rendered) is not retried: the delivery is dead at once.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Transport(Protocol):
    """One channel's way of handing a parcel to its receiver."""

    @property
    def channel(self) -> str:
        """Return the channel this transport serves (``email``, ``peppol``, ``webhook``)."""
        ...

    def send(self, delivery: DeliveryView, parcel: Parcel) -> str:
        """Send ``parcel`` as ``delivery`` (its ``message_id`` on the wire); return a receipt."""
        ...
