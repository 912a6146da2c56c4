"""How values are stored: transcodings for dates and value objects; URL -> environment.

Transcoding names are persisted in every stored event: never change one
without keeping the old name readable.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from types import MemberDescriptorType
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse
from uuid import UUID, uuid4

import attrs
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Mapper,
    MapperDeserialisationError,
    Transcoding,
    TranscodingNotRegisteredError,
    UUIDAsHex,
)
from eventsourcing.persistence import find_id_convertor as _find_id_convertor
from eventsourcing.utils import TopicError, resolve_topic

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
from severa_ledger.domain.errors import InvalidValueError, UnknownEventTypeError
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
        self._names = tuple(f.name for f in self._fields)
        self._name_set = frozenset(self._names)
        # Slots are set through their descriptors: a third of object.__setattr__'s cost.
        slots = [getattr(cls, name, None) for name in self._names]
        self._setters: tuple[tuple[str, Callable[[object, object], None]], ...] | None = None
        if all(isinstance(slot, MemberDescriptorType) for slot in slots):
            self._setters = tuple(zip(self._names, [s.__set__ for s in slots], strict=True))  # type: ignore[union-attr]

    def encode(self, obj: object) -> dict[str, object]:
        """Return the fields by name."""
        return {f.name: getattr(obj, f.name) for f in self._fields}

    def decode(self, data: dict[str, object]) -> object:
        """Return the value object, without validation."""
        obj: object = object.__new__(self.type)
        if self._setters is not None and type(data) is dict and data.keys() == self._name_set:
            for name, put in self._setters:  # every field stored: the usual case
                value = data[name]
                put(obj, tuple(value) if type(value) is list else value)
            return obj
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


Decode = Callable[[Any], Any]


def _fast(transcoding: Transcoding) -> Decode:
    """Return the function decoding ``transcoding``'s data: the builtin itself when there is one."""
    builtin: dict[type[Transcoding], Decode] = {
        DateAsISO: date.fromisoformat, DatetimeAsISO: datetime.fromisoformat,
        DecimalAsStr: Decimal, UUIDAsHex: UUID,
    }  # fmt: skip
    return builtin.get(type(transcoding), transcoding.decode)


def _object_hook(decoders: dict[str, Decode]) -> Decode:
    """Return ``JSONTranscoder``'s object hook, with each transcoding's decoder looked up once."""

    def hook(d: dict[str, Any]) -> Any:  # noqa: ANN401 -- any stored value
        if len(d) == 2 and "_type_" in d and "_data_" in d:  # noqa: PLR2004 -- _type_, _data_
            try:
                decode = decoders[d["_type_"]]
            except KeyError:
                msg = (f"Data serialized with name '{d['_type_']}' is not deserializable. "
                       "Please register a custom transcoding for this type.")  # fmt: skip
                raise TranscodingNotRegisteredError(msg) from None
            return decode(d["_data_"])
        return d

    return hook


def unknown_event_type(
    topic: str, originator_id: UUID | str, version: int, position: int | None = None
) -> UnknownEventTypeError:
    """Return the error for a stored event whose topic names no event class here."""
    at = "" if position is None else f"at position {position} "
    return UnknownEventTypeError(
        f"the stored event {at}of aggregate {originator_id} version {version} has the topic "
        f"{topic!r}, which names no event class of this program (written by another "
        f"program, or edited in the store); run verify (`severa-ledger verify`) to list "
        f"every such event with its position"
    )


def event_class(topic: str, originator_id: UUID | str, version: int) -> type[Any]:
    """Return the event class of a stored topic; raise UnknownEventTypeError if none."""
    try:
        found = resolve_topic(topic)
    except TopicError:
        found = None
    if not isinstance(found, type) or not issubclass(found, DomainEvent):
        raise unknown_event_type(topic, originator_id, version)
    return found


class EventDecoder:
    """Stored events to domain events, equal to ``Mapper.to_domain_event``'s, faster.

    The mapper's JSON transcoder calls a generic hook for every JSON object and
    looks each transcoding up by name; here each name maps straight to its
    decoding function (``date.fromisoformat``, ``Decimal``...), and topics
    resolve once. Decryption, decompression, ids and upcasting are the mapper's.
    Any other transcoder decodes as it always does.
    """

    def __init__(self, mapper: Mapper[Any]) -> None:
        self.mapper = mapper
        self._transcoder = mapper.transcoder
        self._loads: Decode | None = None
        self._scan: Callable[[str, int], tuple[Any, int]] | None = None
        self._hook: Decode | None = None
        if isinstance(self._transcoder, JSONTranscoder):
            names = self._transcoder.names
            self._hook = _object_hook({name: _fast(t) for name, t in names.items()})
            decoder = json.JSONDecoder(object_hook=self._hook)
            self._loads, self._scan = decoder.decode, decoder.scan_once  # type: ignore[attr-defined]
        self._classes: dict[str, type[Any]] = {}

    def state(self, stored: bytes) -> Any:  # noqa: ANN401 -- the decoded event state
        """Return an event's state decoded (decrypted and decompressed first, if configured)."""
        plain = self._plain(stored)
        if self._loads is None:
            return self._transcoder.decode(plain)
        return self._loads(plain.decode("utf8"))

    def _plain(self, stored: bytes) -> bytes:
        mapper = self.mapper
        if mapper.cipher:
            stored = mapper.cipher.decrypt(stored)
        if mapper.compressor:
            stored = mapper.compressor.decompress(stored)
        return stored

    def _text(self, stored: bytes) -> str:
        return self._plain(stored).decode("utf8")

    def state_and_texts(self, stored: bytes) -> tuple[dict[str, Any], dict[str, str]]:
        """Return an event's state and, by field, the JSON text each value was decoded from.

        The texts are exact slices of the stored JSON (``{"_type_":...}`` for a
        value object), so a value written elsewhere in the events' encoding
        needs no encoding again. Any JSON not as ``JSONTranscoder`` writes it
        (compact, one object) is decoded as a whole, with no texts.
        """
        scan, hook, loads = self._scan, self._hook, self._loads
        if scan is None or hook is None or loads is None:
            return self.state(stored), {}
        text = self._text(stored)
        if text[:2] != '{"':
            return loads(text), {}
        state: dict[str, Any] = {}
        texts: dict[str, str] = {}
        at = 1
        try:
            while text[at] == '"':
                key, at = scanstring(text, at + 1)
                if text[at] != ":":
                    break
                value, end = scan(text, at + 1)
                state[key], texts[key] = value, text[at + 1 : end]
                at = end + 1
                if text[end] == "}" and end + 1 == len(text):
                    return hook(state), texts
                if text[end] != ",":
                    break
        except (StopIteration, IndexError, ValueError):
            pass
        return loads(text), {}

    def event(
        self,
        topic: str,
        originator_id: UUID | str,
        version: int,
        stored: bytes,
        texts: dict[str, str] | None = None,
    ) -> Any:  # noqa: ANN401 -- any domain event
        """Return the domain event ``Mapper.to_domain_event`` returns for these stored fields.

        With ``texts``, the JSON text of each field's value is put there too
        (see :meth:`state_and_texts`).
        """
        cls = self._classes.get(topic)
        if cls is None:
            cls = self._classes[topic] = event_class(topic, originator_id, version)
        try:
            if texts is None:
                state: dict[str, Any] = self.state(stored)
            else:
                state, found = self.state_and_texts(stored)
                texts.update(found)
        except Exception as error:
            msg = (f"Failed to deserialise state of stored event with topic '{topic}', "
                   f"originator_id '{originator_id}' and originator_version {version}: "
                   f"{error}")  # fmt: skip
            raise MapperDeserialisationError(msg) from error
        convert = _find_id_convertor(cls, type(originator_id))  # type: ignore[arg-type]
        state["originator_id"] = convert(originator_id)
        state["originator_version"] = version
        class_version = getattr(cls, "class_version", 1)
        from_version = state.pop("class_version", 1)
        while from_version < class_version:
            getattr(cls, f"upcast_v{from_version}_v{from_version + 1}")(state)
            from_version += 1
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", state)
        return event

    def to_domain_event(self, stored: Any) -> Any:  # noqa: ANN401 -- a StoredEvent or Notification
        """Return the domain event of a stored event or notification (as the mapper does)."""
        return self.event(stored.topic, stored.originator_id, stored.originator_version,
                          stored.state)  # fmt: skip


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
