"""How figures are taken: wall and CPU time, medians of runs, peak resident memory.

Time is ``time.perf_counter`` (wall) and CPU time: this process's and that of
its children waited for meanwhile (billing's worker processes). Both are kept
because the machine may be shared: when other processes compete for the cores,
wall time grows and CPU time does not.

Peak memory is the resident set's high-water mark of a fresh child process
(``multiprocessing`` "spawn"), so nothing the parent holds is counted. Where
Linux allows it (``/proc/self/clear_refs``), the child resets the mark after
its set-up, so the figure is the peak of the measured work alone.
"""

from __future__ import annotations

import math
import multiprocessing
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self, TypeVar

T = TypeVar("T")
MB = 1024 * 1024


@dataclass(frozen=True)
class Timing:
    """One measured run: wall and CPU seconds, and how many things it did."""

    wall: float
    cpu: float
    count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Return things per wall-clock second."""
        return self.count / self.wall if self.wall else 0.0


class Stopwatch:
    """Wall and CPU time of a ``with`` block."""

    def __enter__(self) -> Self:
        self.wall0, self.cpu0 = time.perf_counter(), cpu_seconds()
        self.wall = self.cpu = 0.0
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall0
        self.cpu = cpu_seconds() - self.cpu0

    def timing(self, count: int = 0, **extra: Any) -> Timing:  # noqa: ANN401 -- any figure
        """Return the block's timing with ``count`` things done."""
        return Timing(self.wall, self.cpu, count, extra)


def cpu_seconds() -> float:
    """Return the CPU seconds of this process and of its children that have ended."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def median(timings: Sequence[Timing]) -> Timing:
    """Return the run with the median wall time (the lower median of an even count)."""
    ordered = sorted(timings, key=lambda t: t.wall)
    return ordered[(len(ordered) - 1) // 2]


def repeat(runs: int, measure: Callable[[int], Timing]) -> Timing:
    """Return the median of ``runs`` calls of ``measure(run_number)``."""
    return median([measure(run) for run in range(runs)])


def rss_mb() -> float:
    """Return this process's current resident set size in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb() -> float:
    """Return this process's peak resident set size in MiB since start or reset."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def workers_peak_rss_mb() -> float:
    """Return the largest peak resident set of this process's ended children (its workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset the peak resident set size to the current one, where Linux allows it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def in_child(function: Callable[..., T], *args: object) -> T:
    """Return ``function(*args)`` computed in a fresh child process."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(function, args)


def exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float | None:
    """Return b of the least-squares fit seconds = a * size**b (None below two sizes)."""
    if len(sizes) < 2 or min(seconds) <= 0:
        return None
    fit = statistics.linear_regression([math.log(s) for s in sizes], [math.log(t) for t in seconds])
    return fit.slope
