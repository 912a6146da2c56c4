"""Start ``tests.crash.launcher`` children, interrupt them on cue, and clean up after them.

Every child runs in a session of its own, so the billing workers it starts
can be found (its process group) and waited for: a worker orphaned by a
SIGKILL of its parent finishes its task and exits when its pipe closes; the
next run starts only after that. Every wait has a timeout; a child or worker
still alive after it is killed and the run fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Seconds any one child may take (a hung child fails its test, never the suite).
TIMEOUT = 240.0
#: Seconds orphaned workers get to finish after their parent died.
ORPHAN_GRACE = 30.0


@dataclass(frozen=True)
class Cue:
    """When to interrupt a run: after its N-th commit, after a delay, or at its exit."""

    signal: str = "KILL"  # KILL or INT
    after_commit: int | None = None
    after_seconds: float | None = None
    at_exit: bool = False
    #: Signal the child from outside once its commits file counts this many commits.
    seen_commits: int | None = None


@dataclass(frozen=True)
class Outcome:
    """How a child ended."""

    code: int  # negative: killed by that signal
    stdout: str
    stderr: str
    commits: int
    seconds: float  # from the CLI's start to the child's end
    failures: int = 0  # saves that raised (writer conflicts)
    largest: int = 0  # the most events one committed save held
    signalled: bool = False  # a delayed signal was sent (the child was still running)
    latency: float | None = None  # seconds from the delayed signal to the child's end

    @property
    def killed(self) -> bool:
        """Whether SIGKILL ended it."""
        return self.code == -signal.SIGKILL

    def describe(self) -> str:
        """Return the exit code, commits and output, for an assertion message."""
        return (f"exit {self.code} after {self.commits} commits, {self.failures} failed saves, "
                f"{self.seconds:.1f} s\nstdout: "
                f"{self.stdout[-800:]}\nstderr: {self.stderr[-3000:]}")  # fmt: skip


@dataclass
class Child:
    """One launcher process and the files it reports through."""

    folder: Path
    commits: Path = field(init=False)  # CRASH_COMMITS_FILE (a caller may name its own)
    proc: subprocess.Popen[bytes] = field(init=False)

    @property
    def ready(self) -> Path:
        return self.folder / "ready"

    def start(self, argv: Sequence[str], env: dict[str, str]) -> None:
        with (self.folder / "out").open("wb") as out, (self.folder / "err").open("wb") as err:
            self.proc = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
                [sys.executable, "-m", "tests.crash.launcher", *argv],
                cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True,
            )  # fmt: skip

    def wait_ready(self, deadline: float) -> float:
        """Return the moment the CLI started (or the child ended before it)."""
        while not self.ready.exists() and self.proc.poll() is None:
            if time.monotonic() > deadline:
                raise AssertionError("the launcher did not start its CLI in time")
            time.sleep(0.005)
        return time.monotonic()

    def outcome(self, started: float, *, signalled: bool, latency: float | None = None) -> Outcome:
        text = self.commits.read_text(encoding="utf-8") if self.commits.exists() else ""
        commits, failures, largest = (*map(int, text.split()), 0, 0, 0)[:3]
        return Outcome(
            code=self.proc.returncode,
            stdout=(self.folder / "out").read_text(encoding="utf-8", errors="replace"),
            stderr=(self.folder / "err").read_text(encoding="utf-8", errors="replace"),
            commits=commits,
            seconds=time.monotonic() - started,
            failures=failures,
            largest=largest,
            signalled=signalled,
            latency=latency,
        )


def environment(cue: Cue | None, settings: Mapping[str, str], child: Child) -> dict[str, str]:
    """Return the child's environment: this one, the store URL variables out, the cue in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SEVERA_LEDGER_", "CRASH_"))}
    env |= {"CRASH_READY_FILE": str(child.ready), "CRASH_COMMITS_FILE": str(child.folder / "n")}
    env |= dict(settings)
    if cue is not None:
        env["CRASH_SIGNAL"] = cue.signal
        if cue.after_commit is not None:
            env["CRASH_AFTER_COMMIT"] = str(cue.after_commit)
        if cue.at_exit:
            env["CRASH_AT_EXIT"] = cue.signal
    return env


def launch(
    argv: Sequence[str],
    folder: Path,
    cue: Cue | None = None,
    settings: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
) -> Outcome:
    """Run ``severa-ledger ARGV`` in a launcher child, interrupted as ``cue`` says."""
    child = Child(Path(tempfile.mkdtemp(prefix="run-", dir=folder)))
    deadline = time.monotonic() + timeout
    env = environment(cue, settings or {}, child)
    child.commits = Path(env["CRASH_COMMITS_FILE"])
    child.start(argv, env)
    signalled, latency = False, None
    try:
        started = child.wait_ready(deadline)
        if cue is not None and cue.seen_commits is not None:
            signalled = _signal_when_committed(child, cue, deadline)
        elif cue is not None and cue.after_seconds is not None:
            signalled = _signal_later(child.proc, cue, started + cue.after_seconds, deadline)
        sent = time.monotonic()
        child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        latency = time.monotonic() - sent if signalled else None
    except subprocess.TimeoutExpired:
        raise AssertionError(f"severa-ledger {' '.join(argv)} ran over {timeout} s") from None
    finally:
        end_group(child.proc)
    return child.outcome(started, signalled=signalled, latency=latency)


def _signal_when_committed(child: Child, cue: Cue, deadline: float) -> bool:
    """Send the cue's signal once the child counts ``cue.seen_commits`` commits."""
    while child.proc.poll() is None and time.monotonic() < deadline:
        text = child.commits.read_text(encoding="utf-8") if child.commits.exists() else ""
        if text.split() and int(text.split()[0]) >= (cue.seen_commits or 0):
            return _signal_later(child.proc, cue, time.monotonic(), deadline)
        time.sleep(0.005)
    return False


def _signal_later(proc: subprocess.Popen[bytes], cue: Cue, when: float, deadline: float) -> bool:
    """Send the cue's signal at ``when`` if the child still runs; return whether it was sent.

    SIGINT goes to the whole process group, as Ctrl-C in a terminal does;
    SIGKILL to the child alone (its workers are orphaned, as after ``kill -9``).
    """
    while time.monotonic() < when and proc.poll() is None:
        time.sleep(min(0.005, max(0.0, when - time.monotonic())))
    if proc.poll() is not None or time.monotonic() > deadline:
        return False
    if cue.signal == "INT":
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGKILL)
    return True


def group_members(group: int) -> list[int]:
    """Return the live (not zombie) processes of a process group (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()
        if fields and fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(entry.name))
    return found


def end_group(proc: subprocess.Popen[bytes]) -> None:
    """Wait for the child and its workers to end; kill what is left after the grace time."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    deadline = time.monotonic() + ORPHAN_GRACE
    while group_members(proc.pid):
        if time.monotonic() > deadline:
            for pid in group_members(proc.pid):
                os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"workers of process {proc.pid} outlived it by {ORPHAN_GRACE} s")
        time.sleep(0.02)


def one_line_without_traceback(stderr: str) -> bool:
    """Return whether ``stderr`` is exactly one non-blank line and no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    return len(lines) == 1 and "Traceback" not in stderr


def refused_cleanly(outcome: Outcome) -> bool:
    """Return whether the CLI refused: exit 2 or 3, one line on stderr, no traceback."""
    return outcome.code in {2, 3} and one_line_without_traceback(outcome.stderr)
