"""How values are stored: transcodings for dates and value objects; URL -> environment.

Transcoding names are persisted in every stored event: never change one
without keeping the old name readable.
"""

from __future__ import annotations

import base64
import os
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from uuid import uuid4

import attrs
from eventsourcing.persistence import JSONTranscoder, Transcoding

from severa_ledger.domain.account import Payment
from severa_ledger.domain.billing import PriceVersion
from severa_ledger.domain.company import CompanyDetails
from severa_ledger.domain.documents import (
    Invoice,
    InvoiceLine,
    OrderConfirmation,
    OrderLine,
    SellerSnapshot,
    VatSubtotal,
)
from severa_ledger.domain.errors import InvalidValueError
from severa_ledger.domain.sellers import PaymentDetails
from severa_ledger.domain.values import CompanyVersion, Migration, TermsAcceptance

DEFAULT_URL = "sqlite:///severa-ledger.db"


class DateAsISO(Transcoding):
    """A ``datetime.date`` as an ISO 8601 string."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        """Return the ISO form."""
        return obj.isoformat()

    def decode(self, data: str) -> date:
        """Return the date."""
        return date.fromisoformat(data)


class AttrsTranscoding(Transcoding):
    """An attrs value object as a dict of its fields.

    Decoding does not run validators: stored history is read as it was
    written, even if a later version validates identifiers more strictly.
    Fields added later take their defaults when absent from old data.
    """

    def __init__(self, cls: type[Any], name: str) -> None:
        self.type = cls
        self.name = name
        self._fields = attrs.fields(cls)

    def encode(self, obj: object) -> dict[str, object]:
        """Return the fields by name."""
        return {f.name: getattr(obj, f.name) for f in self._fields}

    def decode(self, data: dict[str, object]) -> object:
        """Return the value object, without validation."""
        obj: object = object.__new__(self.type)
        for f in self._fields:
            if f.name in data:
                value = data[f.name]
            elif isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
                value = f.default.factory()
            elif f.default is attrs.NOTHING:
                msg = f"stored {self.name} lacks its field {f.name!r}; an upcaster must add it"
                raise ValueError(msg)
            else:
                value = f.default
            if isinstance(value, list):
                value = tuple(value)
            object.__setattr__(obj, f.name, value)
        return obj


VALUE_TYPES: dict[str, type[Any]] = {
    "severa_ledger.CompanyDetails.v1": CompanyDetails,
    "severa_ledger.CompanyVersion.v1": CompanyVersion,
    "severa_ledger.PriceVersion.v1": PriceVersion,
    "severa_ledger.OrderLine.v1": OrderLine,
    "severa_ledger.OrderConfirmation.v1": OrderConfirmation,
    "severa_ledger.SellerSnapshot.v1": SellerSnapshot,
    "severa_ledger.PaymentDetails.v1": PaymentDetails,
    "severa_ledger.InvoiceLine.v1": InvoiceLine,
    "severa_ledger.VatSubtotal.v1": VatSubtotal,
    "severa_ledger.Invoice.v1": Invoice,
    "severa_ledger.Migration.v1": Migration,
    "severa_ledger.TermsAcceptance.v1": TermsAcceptance,
    "severa_ledger.Payment.v1": Payment,
}


class LedgerTranscodings:
    """Mixin registering the ledger's transcodings on any eventsourcing application."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Register dates and every value object stored in events or snapshots."""
        super().register_transcodings(transcoder)  # type: ignore[misc]
        transcoder.register(DateAsISO())
        for name, cls in VALUE_TYPES.items():
            transcoder.register(AttrsTranscoding(cls, name))


CIPHER_KEY_VARIABLE = "SEVERA_LEDGER_CIPHER_KEY"
CIPHER_TOPIC = "eventsourcing.cryptography:AESCipher"


def environment(url: str | None = None, cipher_key: str | None = None) -> dict[str, str]:
    """Return the eventsourcing environment for a store URL and optional cipher key.

    With a key (``cipher_key``, else ``SEVERA_LEDGER_CIPHER_KEY``: base64 of 16,
    24 or 32 random bytes), every event's state is stored encrypted with AES-GCM
    (eventsourcing's ``cryptography`` cipher); topics, ids and versions stay
    readable. The key is set under the ledger's own prefix, so an explicit
    ``cipher_key`` wins over the environment variable (docs/auditing.md).
    """
    env = _store_environment(url)
    key = cipher_key or os.environ.get(CIPHER_KEY_VARIABLE)
    if key:
        env["CIPHER_TOPIC"] = CIPHER_TOPIC
        env[CIPHER_KEY_VARIABLE] = _checked_key(key)
    return env


def _checked_key(key: str) -> str:
    try:
        size = len(base64.b64decode(key, validate=True))
    except ValueError:
        size = 0
    if size not in {16, 24, 32}:
        raise InvalidValueError(
            f"the cipher key ({CIPHER_KEY_VARIABLE}) must be base64 of 16, 24 or 32 bytes"
        )
    return key


def _store_environment(url: str | None = None) -> dict[str, str]:
    """Return the eventsourcing environment for a store URL (api.md ``Ledger.open``).

    ``memory://``; ``sqlite:///path`` (``sqlite:///:memory:`` for a shared
    in-process database); ``postgresql://user:pw@host:port/db?schema=name``.
    """
    url = url or os.environ.get("SEVERA_LEDGER_DB") or DEFAULT_URL
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if parsed.scheme == "sqlite":
        path = unquote(url.removeprefix("sqlite://").removeprefix("/"))
        if not path:
            raise InvalidValueError(f"store URL {url!r} names no SQLite file")
        if path == ":memory:":
            path = f"file:severa-ledger-{uuid4().hex}?mode=memory&cache=shared"
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    if parsed.scheme in {"postgresql", "postgres"}:
        query = parse_qs(parsed.query)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parsed.path.lstrip("/") or "postgres",
            "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parsed.port or 5432),
            "POSTGRES_USER": unquote(parsed.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(parsed.password or ""),
            "POSTGRES_SCHEMA": query.get("schema", ["public"])[0],
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_PRE_PING": "y",
        }
    raise InvalidValueError(
        f"store URL {url!r}: use memory://, sqlite:///PATH or postgresql://USER@HOST/DB"
    )
