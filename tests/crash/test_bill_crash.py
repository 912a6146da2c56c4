"""``bill`` killed at any point, with and without workers, then run again, issues the same invoices.

The book is applied, then billed through its year with small chunks (six
customers advanced, forty invoices issued per save), so a run commits a few
dozen times. Each plan SIGKILLs the parent (its workers are orphaned, finish
their task and exit) right after a commit or after a seeded delay; running
``bill`` again must end in exactly the store an uninterrupted billing leaves,
and the store must verify (hash chain unbroken, every invoice re-derived).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crash.conftest import NewStore, new_store_factory
from tests.crash.files import THROUGH, apply_in_process, book_text
from tests.crash.history import Holdings, holdings, holdings_differences, store_problems
from tests.crash.plans import Plan, plans
from tests.crash.runs import Cue, Outcome, launch

CUSTOMERS = 50
RUN = "severa_ledger.billing.run"
KNOBS = ";".join(f"{RUN}:{name}={value}" for name, value in (
    ("CUSTOMERS_PER_SAVE", 6), ("INVOICES_PER_SAVE", 40),
    ("POSTGRES_CUSTOMERS_PER_SAVE", 6), ("POSTGRES_INVOICES_PER_SAVE", 40),
))  # fmt: skip
SETTINGS = {"CRASH_SET": KNOBS}
#: The quick run's plans; a sweep runs every plan both ways.
QUICK = {
    1: ("sigkill@first-commit", "sigkill@middle-commit", "sigkill@last-commit",
        "sigkill@seeded-time-0"),
    2: ("sigkill@middle-commit", "sigkill@seeded-time-0"),
}  # fmt: skip


@dataclass(frozen=True)
class Reference:
    """An uninterrupted billing of the book: its commits, duration and store, per worker count."""

    kind: str
    book: str
    commits: dict[int, int]
    seconds: dict[int, float]
    billed: Holdings
    with_workers: Holdings


def cases(sweep: int) -> list[tuple[int, Plan]]:
    """The quick plans in one process and with two workers; a sweep runs every plan both ways."""
    found = plans("bill", sweep, signals=("KILL",))
    return [(w, p) for w in (1, 2) for p in found if sweep > 1 or p.name in QUICK[w]]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "case" in metafunc.fixturenames:
        found = cases(metafunc.config.getoption("crash_sweep"))
        metafunc.parametrize("case", found, ids=[f"workers{w}-{p}" for w, p in found])


def bill(url: str, workers: int, folder: Path, cue: Cue | None = None) -> Outcome:
    """Run ``severa-ledger bill --through`` the book's year, in small chunks."""
    argv = ["--db", url, "bill", "--through", THROUGH.isoformat(), "--workers", str(workers)]
    return launch(argv, folder, cue, SETTINGS)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def reference(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Reference]:
    """The book billed without interruption, in one process and with two workers."""
    folder = tmp_path_factory.mktemp(f"bill-reference-{request.param}")
    new_store, clean_up = new_store_factory(request.param, folder)
    try:
        book = book_text(CUSTOMERS)
        found: dict[int, tuple[Outcome, Holdings]] = {}
        for workers in (1, 2):
            url = new_store(f"reference-{workers}")
            apply_in_process(url, book)
            clean = bill(url, workers, folder)
            assert clean.code == 0, clean.describe()
            found[workers] = (clean, holdings(url))
        yield Reference(
            request.param, book, {w: o.commits for w, (o, _) in found.items()},
            {w: o.seconds for w, (o, _) in found.items()}, found[1][1], found[2][1],
        )  # fmt: skip
    finally:
        clean_up()


@pytest.fixture
def store_kind(reference: Reference) -> str:
    """The reference's kind of store: ``new_store`` (conftest) makes fresh ones of it."""
    return reference.kind


def test_billing_with_workers_records_what_one_process_records(reference: Reference) -> None:
    """Two workers leave the same history, license counts and invoices as one process."""
    assert reference.commits[1] > 10, reference.commits
    problems = holdings_differences(reference.with_workers, reference.billed)
    assert not problems, "\n".join(problems)


def test_a_killed_billing_run_again_issues_exactly_the_invoices_of_an_uninterrupted_one(
    reference: Reference, new_store: NewStore, case: tuple[int, Plan], tmp_path: Path
) -> None:
    """SIGKILLed as planned, then billed again: the same history, license counts and invoices."""
    workers, plan = case
    url = new_store("crashed")
    apply_in_process(url, reference.book)
    for number, interruption in enumerate(plan.interruptions):
        cue = interruption.cue(reference.commits[workers], reference.seconds[workers])
        outcome = bill(url, workers, tmp_path, cue)
        must_stop = interruption.commit is not None and number == 0
        assert outcome.code in ((-9,) if must_stop else (-9, 0)), outcome.describe()
    finished = bill(url, workers, tmp_path)
    assert finished.code == 0, finished.describe()
    problems = store_problems(url, reference.billed)
    assert not problems, problems
