"""Reading the log for catch-up and verify: the fast paths give exactly what the slow ones give."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import attrs
import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent

from severa_ledger import Ledger
from severa_ledger.audit.chain import clean_walk
from severa_ledger.projections.dialects import sqlite_dialect
from severa_ledger.projections.log import Log, id_text
from severa_ledger.projections.receivables import DOCUMENTS
from severa_ledger.projections.rows import replace
from severa_ledger.projections.subscription_rows import SUBSCRIPTIONS
from severa_ledger.store.chain import event_hash, stored_hash
from severa_ledger.store.decoding import EventDecoder
from tests.conftest import finnish_company, open_customer, pg_schema_url

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.db"


def record(ledger: Ledger) -> None:
    """Two customers, purchases, a user, company details, a payment and a credit note."""
    open_customer(ledger, "C1", anchor=date(2025, 1, 1), months=1)
    open_customer(ledger, "C2", anchor=date(2025, 2, 1), company=finnish_company())
    ledger.buy_licenses("C1", "user", 3, on=date(2025, 1, 10))
    ledger.activate_user("C1", "u1", on=date(2025, 1, 12))
    ledger.buy_licenses("C2", "user", 2, on=date(2025, 2, 3))
    ledger.record_exchange_rate("NOK", "11.6", on=date(2025, 1, 31))  # C2's VAT in EUR (R32)
    ledger.run_billing(through=date(2025, 4, 30))
    first = ledger.invoices("C1")[0]
    ledger.record_payment(first.number, first.total, on=date(2025, 2, 20))
    ledger.credit_invoice(ledger.invoices("C2")[0].number, on=date(2025, 4, 30),
                          reason="wrong seats")  # fmt: skip


@pytest.fixture(params=["memory", "sqlite", "sqlite-encrypted", "postgres"])
def recorded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Ledger]:
    """A ledger holding a short history, on each store (and encrypted on SQLite)."""
    key = AESCipher.create_key(32) if request.param == "sqlite-encrypted" else None
    if request.param == "memory":
        urls: Iterator[str] = iter(["memory://"])
    elif request.param == "postgres":
        urls = pg_schema_url()
    else:
        urls = iter([f"sqlite:///{tmp_path}/ledger.db"])
    url = next(urls)
    with Ledger.open(url, cipher_key=key) as ledger:
        record(ledger)
        yield ledger
    next(urls, None)  # PostgreSQL: drop the schema


def test_the_decoder_gives_the_mappers_events(recorded: Ledger) -> None:
    """Every stored event decodes to an event of the same class with equal state."""
    decoder = EventDecoder(recorded.mapper)
    notes = recorded.recorder.select_notifications(start=0, limit=10_000)
    assert len(notes) > 20
    for note in notes:
        expected, found = recorded.mapper.to_domain_event(note), decoder.to_domain_event(note)
        assert type(found) is type(expected)
        assert found.__dict__ == expected.__dict__


def test_the_decoder_upcasts_v1_orders(tmp_path: Path) -> None:
    """The v1 fixture's orders gain their ``net`` as through the mapper."""
    copy = tmp_path / "v1.db"
    shutil.copyfile(FIXTURE, copy)
    with Ledger.open(f"sqlite:///{copy}") as ledger:
        decoder = EventDecoder(ledger.mapper)
        for note in ledger.recorder.select_notifications(start=0, limit=10_000):
            found = decoder.to_domain_event(note)
            assert found.__dict__ == ledger.mapper.to_domain_event(note).__dict__


def test_value_texts_are_the_stored_json(recorded: Ledger) -> None:
    """Each field's text is the exact slice of the stored JSON that decodes to its value."""
    decoder = EventDecoder(recorded.mapper)
    for note in recorded.recorder.select_notifications(start=0, limit=10_000):
        state, texts = decoder.state_and_texts(note.state)
        assert state == decoder.state(note.state)
        assert set(texts) == set(state)
        plain = decoder._text(note.state)
        for name, text in texts.items():
            assert text in plain
            assert recorded.mapper.transcoder.decode(text.encode()) == state[name]


DATE = '{"_type_":"date_iso","_data_":"2025-01-01"}'
STATES = [
    ('{"a":' + DATE + ',"b":[1,2]}', {"a": DATE, "b": "[1,2]"}),
    ('{"a": 1, "b": [1, 2]}', {}),
    ('{"a":1} ', {}),
    ("[1,2]", {}),
    ("{}", {}),
]


@pytest.mark.parametrize(("text", "texts"), STATES)
def test_json_not_written_compactly_decodes_without_texts(
    memory_ledger: Ledger, text: str, texts: dict[str, str]
) -> None:
    """Compact JSON gives each field's text; spaces or an odd shape: decoded whole, no texts."""
    decoder = EventDecoder(memory_ledger.mapper)
    state, found = decoder.state_and_texts(text.encode())
    assert state == memory_ledger.mapper.transcoder.decode(text.encode())
    assert found == texts


BROKEN = [
    b'{"timestamp":',
    b'{"x":{"_type_":"no_such_type","_data_":1}}',
    b'{"x":{"_type_":"date_iso","_data_":"2025-13-01"}}',
    b'{"x":{"_type_":"severa_ledger.PaymentDetails.v1","_data_":[1,2,3]}}',
    b'{"x":{"_type_":"severa_ledger.PaymentDetails.v1","_data_":{"bank":"B"}}}',
    '{"timestamp":1}',
]


@pytest.mark.parametrize("state", BROKEN)
def test_unreadable_states_fail_as_through_the_mapper(
    memory_ledger: Ledger, state: bytes | str
) -> None:
    """An unreadable state raises the mapper's error, with the mapper's message."""
    stored = StoredEvent(uuid4(), 1, "severa_ledger:Subscription.TermsAccepted.v1", state)  # type: ignore[arg-type]
    mapper = eventsourcing_mapper(memory_ledger)
    with pytest.raises(MapperDeserialisationError) as expected:
        mapper.to_domain_event(stored)
    with pytest.raises(MapperDeserialisationError) as found:
        EventDecoder(memory_ledger.mapper).to_domain_event(stored)
    assert str(found.value) == str(expected.value)


def eventsourcing_mapper(ledger: Ledger) -> Mapper[UUID]:
    """Return eventsourcing's own mapper with the ledger's transcoder."""
    return Mapper(ledger.mapper.transcoder, ledger.mapper.compressor, ledger.mapper.cipher)


def test_log_pages_are_the_recorders_notifications(recorded: Ledger) -> None:
    """Pages (with topics and a stop) hold what ``select_notifications`` returns."""
    log = Log(recorded.recorder)
    notes = recorded.recorder.select_notifications(start=0, limit=10_000)
    topics = sorted({n.topic for n in notes})[:3]
    stop = notes[len(notes) // 2].id
    wanted = [n for n in notes if n.topic in topics and n.id <= stop]
    found = [s for page in log.pages(limit=2, stop=stop, topics=topics) for s in page]
    assert found == [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
                     for n in wanted]  # fmt: skip


def test_histories_are_each_aggregates_events(recorded: Ledger) -> None:
    """Histories read in bulk hold each aggregate's events by version."""
    log = Log(recorded.recorder)
    ids = list(dict.fromkeys(n.originator_id for n in
                             recorded.recorder.select_notifications(start=0, limit=10_000)))  # fmt: skip
    histories = log.histories(ids)
    for aggregate in ids:
        events = recorded.recorder.select_events(aggregate)
        assert histories[aggregate] == [
            (0, str(aggregate), e.originator_version, e.topic, e.state) for e in events
        ]


def test_hex_ids_read_as_uuid_text() -> None:
    """SQLite's hex ids become the dashed text ``str(UUID)`` gives."""
    hex_id = "0123456789ABCDEF0123456789abcdef"
    assert id_text(hex_id) == "01234567-89ab-cdef-0123-456789abcdef"
    assert id_text("01234567-89ab-cdef-0123-456789abcdef") == "01234567-89ab-cdef-0123-456789abcdef"


def test_the_clean_walk_hashes_as_the_chain_does(recorded: Ledger) -> None:
    """Stored hashes equal the chain's; any difference and the walk gives up."""
    notes = recorded.recorder.select_notifications(start=0, limit=10_000)
    events = [(n.id, str(n.originator_id), n.originator_version, n.topic, n.state) for n in notes]
    for note, event in zip(notes, events, strict=True):
        assert stored_hash(*event[1:]).hex() == event_hash(note)
    rows = [(r.position, r.event_hash, r.digest) for r in
            recorded.trail.store.rows_after(0, 10_000)]  # fmt: skip
    assert clean_walk(iter(events), iter(rows), None) == (len(events), events[-1][0], None)
    seal = recorded.seal()
    assert clean_walk(iter(events), iter(rows), seal) == (len(events), events[-1][0], True)
    altered = [*events[:3], (*events[3][:4], b"{}"), *events[4:]]
    assert clean_walk(iter(altered), iter(rows), None) is None
    assert clean_walk(iter(events[:-1]), iter(rows), None) is None
    assert clean_walk(iter(events), iter(rows[:-1]), None) is None
    assert clean_walk(iter(events), iter(rows), attrs.evolve(seal, events=1)) is None


def test_documents_are_stored_in_the_events_encoding(tmp_path: Path) -> None:
    """A document's column holds the text the transcoder writes for it: the format is unchanged."""
    with Ledger.open(f"sqlite:///{tmp_path}/ledger.db") as ledger:
        record(ledger)
        ledger.catch_up()
        dialect = sqlite_dialect(ledger.mapper.transcoder, "stored_events")
        with ledger.read_models.store.reading() as reader:
            rows = reader.select(DOCUMENTS)
            reader.cursor.execute('SELECT number, document FROM "severa_ledger_documents"')  # type: ignore[attr-defined]
            texts = dict(reader.cursor.fetchall())  # type: ignore[attr-defined]
    assert rows
    for row in rows:
        assert texts[row.number] == ledger.mapper.transcoder.encode(row.document).decode()
        assert json.loads(texts[row.number])["_type_"] == "severa_ledger.Invoice.v1"
    assert dialect.objects is dialect.objects


def test_replace_is_evolve(recorded: Ledger) -> None:
    """``replace`` gives the row ``attrs.evolve`` gives."""
    recorded.catch_up()
    with recorded.read_models.store.reading() as reader:
        row = reader.select(SUBSCRIPTIONS)[0]
    changes = {"version": 99, "licenses": {"user": 7}, "price_versions": [*row.price_versions]}
    assert replace(row, **changes) == attrs.evolve(row, **changes)
    assert replace(row, **changes).price_versions == row.price_versions
