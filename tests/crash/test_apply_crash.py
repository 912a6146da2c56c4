"""``apply`` killed or interrupted at any point, then applied again, records each command once.

A seeded synthetic book (``benchmarks.book``) is applied with few events per
transaction, so the file spans about a dozen transactions; each plan
interrupts it (SIGKILL or SIGINT, right after a commit or after a seeded
delay, possibly several runs in a row) and applies the same file again. The
store must then hold exactly what an uninterrupted run of the file holds, bill
to exactly the same invoices, and verify (its hash chain unbroken).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from severa_ledger import Ledger
from tests.crash.conftest import NewStore, new_store_factory
from tests.crash.files import THROUGH, book_text
from tests.crash.history import (
    Holdings,
    holdings,
    prefix_differences,
    store_history,
    store_problems,
)
from tests.crash.plans import Interruption, Plan, plans
from tests.crash.runs import Cue, Outcome, launch, one_line_without_traceback, refused_cleanly

CUSTOMERS = 50
#: The book's ~1,600 events in about a dozen transactions.
MAX_EVENTS = 130
SETTINGS = {"CRASH_MAX_EVENTS_PER_SAVE": str(MAX_EVENTS)}
INTERRUPTED = 130  # the shell's code for SIGINT


@dataclass(frozen=True)
class Reference:
    """An uninterrupted apply of the book: its commits, duration and what it left."""

    kind: str
    file: Path
    clean: Outcome
    applied: Holdings
    billed: Holdings

    @property
    def commits(self) -> int:
        return self.clean.commits

    @property
    def seconds(self) -> float:
        return self.clean.seconds


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "plan" in metafunc.fixturenames:
        found = plans("apply", metafunc.config.getoption("crash_sweep"))
        metafunc.parametrize("plan", found, ids=[str(p) for p in found])


def apply(url: str, file: Path, folder: Path, cue: Cue | None = None) -> Outcome:
    """Run ``severa-ledger apply FILE`` with few events per transaction."""
    return launch(["--db", url, "apply", str(file)], folder, cue, SETTINGS)


def bill(url: str) -> None:
    """Bill the book's year in this process."""
    with Ledger.open(url) as ledger:
        ledger.run_billing(through=THROUGH)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def reference(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reference]:
    """The book applied without interruption, then billed, on a store of each kind."""
    folder = tmp_path_factory.mktemp(f"apply-reference-{request.param}")
    new_store, clean_up = new_store_factory(request.param, folder)
    try:
        file = folder / "book.jsonl"
        file.write_text(book_text(CUSTOMERS), encoding="utf-8")
        url = new_store("reference")
        clean = apply(url, file, folder)
        assert clean.code == 0, clean.describe()
        applied = holdings(url)
        bill(url)
        yield Reference(request.param, file, clean, applied, holdings(url))
    finally:
        clean_up()


@pytest.fixture
def store_kind(reference: Reference) -> str:
    """The reference's kind of store: ``new_store`` (conftest) makes fresh ones of it."""
    return reference.kind


def check_interrupted(outcome: Outcome, interruption: Interruption, *, first: bool) -> None:
    """Assert the run ended as its interruption says, or ran to its end before it."""
    if interruption.commit is not None and first:  # a clean run gets that far: it must stop
        ended = (-9,) if interruption.signal == "KILL" else (INTERRUPTED,)
    else:  # a delay may come after the end; a later run of a chain may have less to do
        ended = (-9, 0) if interruption.signal == "KILL" else (INTERRUPTED, 0)
    assert outcome.code in ended, outcome.describe()
    if interruption.signal == "INT" and outcome.code == INTERRUPTED:
        assert one_line_without_traceback(outcome.stderr), outcome.describe()


def test_the_book_spans_many_transactions_none_over_the_limit(reference: Reference) -> None:
    """The clean apply commits about a dozen times (kill points differ), none over the limit."""
    events = sum(len(e) for e in reference.applied.history.values())
    assert reference.commits >= events // MAX_EVENTS, reference.clean.describe()
    assert reference.clean.largest <= MAX_EVENTS, reference.clean.describe()


def test_a_command_larger_than_a_transaction_is_refused_before_anything_is_written(
    new_store: NewStore, tmp_path: Path
) -> None:
    """Two events a transaction: opening a subscription (three) is refused, nothing stored."""
    url = new_store("small")
    file = tmp_path / "one.jsonl"
    file.write_text(book_text(1), encoding="utf-8")
    outcome = launch(["--db", url, "apply", str(file)], tmp_path, None,
                     {"CRASH_MAX_EVENTS_PER_SAVE": "2"})  # fmt: skip
    assert refused_cleanly(outcome), outcome.describe()
    assert "line 1" in outcome.stderr
    assert outcome.commits == 0
    assert store_history(url) == {}


def test_an_interrupted_apply_run_again_ends_as_an_uninterrupted_one(
    reference: Reference, new_store: NewStore, plan: Plan, tmp_path: Path
) -> None:
    """Interrupted as planned, applied again, billed: the clean run's history, licenses, invoices."""
    url = new_store("crashed")
    for number, interruption in enumerate(plan.interruptions):
        outcome = apply(url, reference.file, tmp_path,
                        interruption.cue(reference.commits, reference.seconds))  # fmt: skip
        check_interrupted(outcome, interruption, first=number == 0)
        foreign = prefix_differences(store_history(url), reference.applied.history)
        assert not foreign, "\n".join(foreign)
    finished = apply(url, reference.file, tmp_path)
    assert finished.code == 0, finished.describe()
    bill(url)
    problems = store_problems(url, reference.billed)
    assert not problems, problems


def test_sigint_exits_130_with_one_line_and_no_traceback(
    reference: Reference, new_store: NewStore, tmp_path: Path
) -> None:
    """Ctrl-C right after the first commit: exit 130, one line on stderr, no traceback."""
    outcome = apply(new_store("interrupted"), reference.file, tmp_path, Cue("INT", after_commit=1))
    assert outcome.code == INTERRUPTED, outcome.describe()
    assert one_line_without_traceback(outcome.stderr), outcome.describe()
