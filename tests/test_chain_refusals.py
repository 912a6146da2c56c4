"""The chain never repairs itself over tampering: saves refuse, only an explicit re-chain chains.

Digests deleted, the chain's table dropped, events written around the ledger
or chained events deleted: an ordinary save then refuses (ChainBrokenError,
nothing written), so the damage stays a verify finding. Only
``Ledger.extend_chain`` (``severa-ledger seal --extend``) chains unchained
events, and it logs and records what it did; verify shows the record.
"""

from __future__ import annotations

import logging
import shutil
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from severa_ledger import ChainBrokenError, Ledger
from severa_ledger.cli import main
from tests.conftest import stored_log
from tests.tamper import Tamper
from tests.test_audit_chain import BOUGHT, record_history

FIXTURE = Path(__file__).parent / "fixtures" / "ledger-v1.db"
RECHAIN = "severa-ledger seal --extend"


@pytest.fixture
def history(sql_url: str) -> tuple[str, Tamper]:
    """A recorded history (25 events) on SQLite or PostgreSQL, and SQL access to it."""
    with Ledger.open(sql_url) as ledger:
        record_history(ledger)
    return sql_url, Tamper(sql_url)


def buy(url: str) -> None:
    """Record an ordinary command: one more license for C2."""
    with Ledger.open(url) as ledger:
        ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))


def chain_rows(tamper: Tamper) -> list[tuple[object, ...]]:
    """Return every stored digest row."""
    return tamper.sql(f"SELECT * FROM {tamper.chain} ORDER BY notification_id")


def problem(url: str) -> tuple[str | None, int | None, bool]:
    """Return verify's chain problem (kind, position) and whether the report is ok."""
    with Ledger.open(url) as ledger:
        report = ledger.verify()
    found = report.chain.problem
    return (found.kind if found else None, found.position if found else None, report.ok)


def test_a_save_after_the_digests_were_deleted_is_refused_and_writes_nothing(
    history: tuple[str, Tamper],
) -> None:
    """Digests deleted and a purchase edited: the next save refuses, and verify keeps
    finding every event unchained instead of a chain rebuilt over the edit."""
    url, tamper = history
    tamper.drop_digests()
    tamper.flip_byte(tamper.positions(BOUGHT)[0], b"3", b"7")
    with Ledger.open(url) as ledger:
        before = stored_log(ledger)
        with pytest.raises(ChainBrokenError, match="no stored event is chained") as refused:
            ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
        assert RECHAIN in str(refused.value)
        assert stored_log(ledger) == before
    assert chain_rows(tamper) == []
    assert problem(url) == ("unchained", 1, False)


def test_a_chain_shorter_than_the_log_refuses_saves(history: tuple[str, Tamper]) -> None:
    """The last five digests deleted: the save refuses, naming where the chain ends."""
    url, tamper = history
    last = tamper.positions()[-1]
    tamper.drop_digests(after=last - 5)
    with pytest.raises(ChainBrokenError, match=f"chain ends at position {last - 5} but the log "
                       f"holds events up to position {last}"):  # fmt: skip
        buy(url)
    assert len(tamper.positions()) == last
    assert problem(url) == ("unchained", last - 4, False)


def test_a_save_after_events_written_around_the_ledger_is_refused(
    history: tuple[str, Tamper],
) -> None:
    """A forged purchase appended with SQL: the next save refuses; verify names the forgery."""
    url, tamper = history
    forged = tamper.append(tamper.forge(tamper.positions(BOUGHT)[0], version=99))
    with pytest.raises(ChainBrokenError, match=f"holds events up to position {forged}"):
        buy(url)
    assert tamper.positions()[-1] == forged
    assert problem(url) == ("unchained", forged, False)


def test_a_save_after_chained_events_were_deleted_is_refused(history: tuple[str, Tamper]) -> None:
    """The last event deleted (its digest kept): the save refuses rather than reuse its place."""
    url, tamper = history
    last = tamper.positions()[-1]
    tamper.delete(last)
    with pytest.raises(ChainBrokenError, match="chained events were deleted"):
        buy(url)
    assert tamper.positions()[-1] == last - 1
    assert problem(url) == ("deleted", last, False)


def test_a_save_after_the_chain_table_was_dropped_is_refused(history: tuple[str, Tamper]) -> None:
    """The digests' table dropped under an open ledger, then a new ledger opened (which makes
    it again, empty): both refuse to save."""
    url, tamper = history
    with Ledger.open(url) as ledger:
        before = stored_log(ledger)
        tamper.sql(f"DROP TABLE {tamper.chain}")
        with pytest.raises(ChainBrokenError, match="severa_ledger_chain\\) is missing"):
            ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
        assert stored_log(ledger) == before
    with pytest.raises(ChainBrokenError, match="no stored event is chained"):
        buy(url)
    assert problem(url) == ("unchained", 1, False)


def test_only_an_explicit_rechain_chains_and_it_is_logged_and_shown_by_verify(
    history: tuple[str, Tamper], caplog: pytest.LogCaptureFixture
) -> None:
    """extend_chain chains the 25 events, logs a warning and records it; verify then passes
    and lists the re-chain; saves work again."""
    url, tamper = history
    events = len(tamper.positions())
    tamper.drop_digests()
    with Ledger.open(url) as ledger, caplog.at_level(logging.WARNING, "severa_ledger.audit"):
        assert ledger.extend_chain() == events
        assert ledger.extend_chain() == 0
    (logged,) = [r.getMessage() for r in caplog.records if r.name == "severa_ledger.audit"]
    assert logged.startswith(f"re-chained {events} stored events (positions 1 to {events})")
    with Ledger.open(url) as ledger:
        report = ledger.verify()
        assert report.ok
        (extension,) = report.chain.extensions
        assert (extension.first, extension.last, extension.events) == (1, events, events)
        assert extension.chained_at is not None
        ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
        assert ledger.verify().chain.extensions == (extension,)


def test_the_cli_rechains_on_request_and_verify_shows_it(
    history: tuple[str, Tamper], capsys: pytest.CaptureFixture[str]
) -> None:
    """`seal --extend` re-chains; `verify` exits 0 and prints the positions chained after
    the fact."""
    url, tamper = history
    tamper.drop_digests()
    assert main(["--db", url, "verify"]) == 1
    assert "no event is chained" in capsys.readouterr().out
    assert main(["--db", url, "seal", "--extend"]) == 0
    assert main(["--db", url, "verify"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # rich wraps titles
    assert "Events chained after the fact (explicit re-chains)" in out
    assert "1 to 25" in out


def test_the_memory_store_refuses_after_events_written_around_it(memory_ledger: Ledger) -> None:
    """In memory too: an event inserted past the chaining recorder makes saves refuse until
    the explicit re-chain."""
    record_history(memory_ledger)
    first = memory_ledger.recorder.select_notifications(start=5, limit=1)[0]
    forged = StoredEvent(first.originator_id, 99, first.topic, first.state)
    recorder = memory_ledger.recorder
    assert isinstance(recorder, POPOApplicationRecorder)
    POPOApplicationRecorder._insert_events(recorder, [forged])  # past the chaining recorder
    before = stored_log(memory_ledger)
    with pytest.raises(ChainBrokenError, match="holds events up to position 26"):
        memory_ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
    assert stored_log(memory_ledger) == before
    assert memory_ledger.verify().chain.problem.kind == "unchained"  # type: ignore[union-attr]
    assert memory_ledger.extend_chain() == 1
    memory_ledger.buy_licenses("C2", "user", 1, on=date(2025, 9, 1))
    assert memory_ledger.verify().chain.ok


def test_a_store_from_before_the_chain_opens_and_verify_says_to_rechain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The v1 fixture without its digests' table (as written before the chain): it opens and
    answers queries; verify says plainly no event is chained and how to chain them; saves
    refuse until `seal --extend`, after which it verifies."""
    copy = tmp_path / "ledger-v1.db"
    shutil.copyfile(FIXTURE, copy)
    url = f"sqlite:///{copy}"
    Tamper(url).sql("DROP TABLE severa_ledger_chain")
    with Ledger.open(url) as ledger:
        assert len(ledger.invoices()) == 28
        report = ledger.verify()
        assert not report.ok
        found = report.chain.problem
        assert found is not None
        assert (found.kind, found.position) == ("unchained", 1)
        assert found.message.startswith("no event is chained: the 144 stored events have no")
        assert RECHAIN in found.message
        with pytest.raises(ChainBrokenError):
            ledger.run_billing(through=date(2025, 10, 6))
    assert main(["--db", url, "seal", "--extend"]) == 0
    capsys.readouterr()
    with Ledger.open(url) as ledger:
        assert ledger.run_billing(through=date(2025, 10, 6)).orders == 2
        report = ledger.verify()
    assert report.ok
    assert [(e.first, e.last, e.events) for e in report.chain.extensions] == [(1, 144, 144)]
