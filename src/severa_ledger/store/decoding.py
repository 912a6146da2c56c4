"""Reading stored events fast: per-name decoders and the exact EventDecoder."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any
from uuid import UUID

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

from severa_ledger.domain.errors import UnknownEventTypeError
from severa_ledger.store.transcodings import DateAsISO

Decode = Callable[[Any], Any]


def _fast(transcoding: Transcoding) -> Decode:
    """Return the function decoding ``transcoding``'s data: the builtin itself when there is one."""
    builtin: dict[type[Transcoding], Decode] = {
        DateAsISO: date.fromisoformat,
        DatetimeAsISO: datetime.fromisoformat,
        DecimalAsStr: Decimal,
        UUIDAsHex: UUID,
    }
    return builtin.get(type(transcoding), transcoding.decode)


def _object_hook(decoders: dict[str, Decode]) -> Decode:
    """Return ``JSONTranscoder``'s object hook, with each transcoding's decoder looked up once."""

    def hook(d: dict[str, Any]) -> Any:  # noqa: ANN401 -- any stored value
        if len(d) == 2 and "_type_" in d and "_data_" in d:  # noqa: PLR2004 -- _type_, _data_
            try:
                decode = decoders[d["_type_"]]
            except KeyError:
                msg = (
                    f"Data serialized with name '{d['_type_']}' is not deserializable. "
                    "Please register a custom transcoding for this type."
                )
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
            msg = (
                f"Failed to deserialise state of stored event with topic '{topic}', "
                f"originator_id '{originator_id}' and originator_version {version}: "
                f"{error}"
            )
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
        return self.event(
            stored.topic, stored.originator_id, stored.originator_version, stored.state
        )
