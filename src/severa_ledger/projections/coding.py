"""How ``json`` and ``object`` column values are coded.

``json`` columns hold JSON of plain values; ``object`` columns hold value
objects in the events' own encoding (the ledger's transcoder), written by one
walk and the C encoder, and cached both ways so that unchanged values are not
coded again. The dialects (:mod:`severa_ledger.projections.dialects`) use them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
from eventsourcing.persistence import JSONTranscoder, Transcoder

from severa_ledger.projections.rows import JSON, OBJECT

Convert = Callable[[Any], Any]


def json_encoders(transcoder: Transcoder) -> dict[str, Convert]:
    """Return the encoders of ``json`` and ``object`` columns."""
    encode: Convert = lambda v: transcoder.encode(v).decode()  # noqa: E731 -- a converter
    if isinstance(transcoder, JSONTranscoder):
        encode = _FastEncoder(transcoder).encode
    return {JSON: json.dumps, OBJECT: encode}


class _FastEncoder:
    """The JSON ``JSONTranscoder`` writes, made by one walk and the C encoder.

    The transcoder calls back from the C encoder into Python for every value
    object; walking the value first is about a third faster. The text is
    the same, so the transcoder decodes it.
    """

    def __init__(self, transcoder: JSONTranscoder) -> None:
        self.types = transcoder.types
        self.dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode

    def plain(self, value: Any) -> Any:  # noqa: ANN401 -- any stored value
        """Return ``value`` as JSON data with ``_type_``/``_data_`` for value objects."""
        kind = type(value)
        if kind in _PLAIN or value is None:
            return value
        if kind is dict:
            return {k: self.plain(v) for k, v in value.items()}
        if kind is list or kind is tuple:
            return [self.plain(v) for v in value]
        transcoding = self.types[kind]
        return {"_type_": transcoding.name, "_data_": self.plain(transcoding.encode(value))}

    def encode(self, value: object) -> str:
        """Return the JSON text of ``value``."""
        text: str = self.dumps(self.plain(value))
        return text


_PLAIN = frozenset({str, int, bool, float})


def json_decoders(transcoder: Transcoder) -> dict[str, Convert]:
    """Return the decoders of ``json`` and ``object`` columns."""
    return {JSON: json.loads, OBJECT: lambda v: transcoder.decode(v.encode())}


class ObjectCache:
    """Value objects and their JSON, both ways, so that unchanged values are not coded again.

    A row rewritten with the same price versions or documents it was read
    with (the usual case: most events change one field) reuses their text.
    Values are immutable, so sharing a decoded one between rows is safe.
    Values pinned by a session (read from its events, with their stored
    JSON) are kept until the session ends.
    """

    LIMIT = 4096

    def __init__(self, encode: Convert, decode: Convert) -> None:
        self._encode = encode
        self._decode = decode
        self._texts: dict[int, tuple[object, str]] = {}
        self._values: dict[str, object] = {}
        self._pinned: dict[int, tuple[object, str]] = {}

    def pin(self, value: object, text: str) -> None:
        """Take ``text`` as the encoding of ``value`` (read from a stored event) until unpinned."""
        self._pinned[id(value)] = (value, text)

    def unpin(self) -> None:
        """Forget the pinned values."""
        self._pinned.clear()

    def _remember(self, value: object, text: str) -> None:
        if len(self._texts) > self.LIMIT:
            self._texts.clear()
            self._values.clear()
        self._texts[id(value)] = (value, text)
        self._values[text] = value

    def encode(self, value: object) -> str:
        """Return the JSON text of ``value``, coded once."""
        found = self._pinned.get(id(value)) or self._texts.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        text: str
        if type(value) is tuple and value and all(attrs.has(type(v)) for v in value):
            # Compact JSON: the array is its items' texts, each coded (or found) once.
            text = "[" + ",".join(self.encode(v) for v in value) + "]"
        else:
            text = self._encode(value)
        self._remember(value, text)
        return text

    def decode(self, text: str) -> object:
        """Return the value ``text`` holds, decoded once."""
        found = self._values.get(text)
        if found is None:
            found = self._decode(text)
            if isinstance(found, list):  # rows hold tuples: keep the one decoded
                found = tuple(found)
            self._remember(found, text)
        return found
