"""Where to interrupt a run: the seeded plans of the crash tests, scaled by ``--crash-sweep``.

A point is a fraction of an uninterrupted run: of its commits (0 is right
after the first, 1 right after the last) or of its duration. Commits are
counted per run: the second run of a chain is interrupted after its own N-th
commit.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from tests.crash.runs import Cue


@dataclass(frozen=True)
class Interruption:
    """One signal: after a fraction of the commits, or after a fraction of the time."""

    signal: str  # KILL or INT
    commit: float | None = None
    time: float | None = None

    def cue(self, commits: int, seconds: float) -> Cue:
        """Return the cue for a clean run of ``commits`` commits and ``seconds`` seconds."""
        if self.commit is not None:
            return Cue(self.signal, after_commit=commit_number(self.commit, commits))
        assert self.time is not None
        return Cue(self.signal, after_seconds=self.time * seconds)

    def __str__(self) -> str:
        where = f"commit{self.commit:.2f}" if self.commit is not None else f"time{self.time:.2f}"
        return f"sig{self.signal.lower()}@{where}"


@dataclass(frozen=True)
class Plan:
    """Interruptions in a row, then a run to the end."""

    name: str
    interruptions: tuple[Interruption, ...]

    def __str__(self) -> str:
        return self.name


def commit_number(fraction: float, commits: int) -> int:
    """Return the commit at ``fraction`` of ``commits``: 0 the first, 1 the last."""
    return 1 + round(fraction * (max(commits, 1) - 1))


def seeded_time(label: str, seed: int) -> float:
    """Return a seeded fraction of a run's duration."""
    return random.Random(f"{label}:{seed}").random()  # noqa: S311 -- a test's seed


def quick_plans(label: str, signals: tuple[str, ...] = ("KILL", "INT")) -> list[Plan]:
    """Return the default plans: first, middle and last commit, a chain, seeded delays."""
    kill = [
        Plan("sigkill@first-commit", (Interruption("KILL", commit=0.0),)),
        Plan("sigkill@middle-commit", (Interruption("KILL", commit=0.5),)),
        Plan("sigkill@last-commit", (Interruption("KILL", commit=1.0),)),
        Plan("sigkill@commit0.20-three-runs-in-a-row", (Interruption("KILL", commit=0.2),) * 3),
        Plan("sigkill@seeded-time-0", (Interruption("KILL", time=seeded_time(label, 0)),)),
    ]
    interrupt = [
        Plan("sigint@middle-commit", (Interruption("INT", commit=0.5),)),
        Plan("sigint@seeded-time-0", (Interruption("INT", time=seeded_time(label, 0)),)),
    ]
    return kill + (interrupt if "INT" in signals else [])


def sweep_plans(label: str, sweep: int, signals: tuple[str, ...] = ("KILL", "INT")) -> list[Plan]:
    """Return the sweep's extra plans: 4N+1 commit points per signal, N seeds, N chains."""
    if sweep <= 1:
        return []
    found = []
    points = 4 * sweep
    for signal in signals:
        name = f"sig{signal.lower()}"
        found += [Plan(f"{name}@commit{i / points:.2f}", (Interruption(signal, commit=i / points),))
                  for i in range(points + 1)]  # fmt: skip
        found += [Plan(f"{name}@seeded-time-{s}", (Interruption(signal, time=seeded_time(label, s)),))
                  for s in range(1, sweep + 1)]  # fmt: skip
    for seed in range(sweep):
        rnd = random.Random(f"{label}:chain:{seed}")  # noqa: S311 -- a test's seed
        chain = tuple(
            Interruption(rnd.choice(signals), commit=rnd.random())
            if rnd.random() < 0.5  # half by commit, half by time
            else Interruption(rnd.choice(signals), time=rnd.random())
            for _ in range(rnd.randint(2, 4))
        )
        found.append(Plan(f"chain-{seed}:" + ",".join(map(str, chain)), chain))
    return found


def plans(label: str, sweep: int, signals: tuple[str, ...] = ("KILL", "INT")) -> list[Plan]:
    """Return the quick plans and, with ``--crash-sweep`` N > 1, the sweep's."""
    return quick_plans(label, signals) + sweep_plans(label, sweep, signals)
