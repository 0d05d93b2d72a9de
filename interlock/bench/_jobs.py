"""``verify --jobs 2`` against ``--jobs 1``: the speed-up two processes give.

Each measurement is one ``interlock verify`` of every built-in subject in a fresh
``python``, timed from outside, start-up and report included: what a user waits
for. Both counts get the same budget, with a time budget far beyond what any
subject needs, so that both do the very same runs; the repetitions alternate
which goes first, so a change in the machine's load falls on both alike.

The table ``verify`` prints gives each subject's own time, from which the bench
also says what speed-up the split allows: the subjects handed to two workers in
the order ``--jobs`` hands them (each worker takes the next subject when it is
free), with the per-subject times measured at ``--jobs 1``.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

__all__ = [
    "JobsTiming",
    "allowed_speedup",
    "list_makespan",
    "measure",
    "median_seconds",
    "median_work",
    "parse_subject_seconds",
    "time_verify",
]

# How ``verify``'s table heads each subject: "name (controlled: 4832 runs, ..., 3.9s)".
_SUBJECT_LINE = re.compile(r"^(\S+) \((?:[^()]*), ([\d.]+)s\)$", re.M)


@dataclass(frozen=True)
class JobsTiming:
    """One ``verify`` command: its wall time and each subject's own seconds, in order."""

    jobs: int
    seconds: float
    subjects: tuple[tuple[str, float], ...]

    @property
    def work(self) -> float:
        """The subjects' own seconds, summed."""
        return sum(seconds for _, seconds in self.subjects)


def parse_subject_seconds(table: str) -> tuple[tuple[str, float], ...]:
    """Each subject's own seconds, as ``verify``'s table reports them, in order."""
    return tuple((name, float(seconds)) for name, seconds in _SUBJECT_LINE.findall(table))


def time_verify(jobs: int, budget: tuple[str, ...]) -> JobsTiming:
    """Run ``interlock verify --jobs N`` over every built-in subject in a fresh process."""
    command = [sys.executable, "-m", "interlock", "verify", "--jobs", str(jobs), "--no-progress"]
    with tempfile.TemporaryDirectory(prefix="interlock-jobs-") as workdir:
        start = time.perf_counter()
        done = subprocess.run(
            [*command, *budget], cwd=workdir, capture_output=True, text=True, timeout=3600
        )
        seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # 1: the built-in subjects break invariants
        msg = f"verify --jobs {jobs} exited {done.returncode}: {done.stderr.strip()[-500:]}"
        raise RuntimeError(msg)
    return JobsTiming(jobs, seconds, parse_subject_seconds(done.stdout))


def list_makespan(seconds: list[float], workers: int) -> float:
    """How long ``workers`` take over jobs handed out in order, each to the first free one."""
    free_at = [0.0] * workers
    for job in seconds:
        first = free_at.index(min(free_at))
        free_at[first] += job
    return max(free_at)


def measure(rounds: int, budget: tuple[str, ...]) -> tuple[list[JobsTiming], list[JobsTiming]]:
    """``rounds`` timings of ``--jobs 1`` and of ``--jobs 2``, which goes first alternating."""
    one: list[JobsTiming] = []
    two: list[JobsTiming] = []
    for index in range(rounds):
        order = (1, 2) if index % 2 == 0 else (2, 1)
        for jobs in order:
            (one if jobs == 1 else two).append(time_verify(jobs, budget))
    return one, two


def median_seconds(timings: list[JobsTiming]) -> float:
    return statistics.median(t.seconds for t in timings)


def median_work(timings: list[JobsTiming]) -> float:
    return statistics.median(t.work for t in timings)


def allowed_speedup(timings: list[JobsTiming], workers: int = 2) -> float | None:
    """The speed-up ``workers`` would give if each subject took as long as at ``--jobs 1``
    (the median of its times) and nothing else cost anything; None if unknown."""
    names = [name for name, _ in timings[0].subjects]
    if not names:
        return None
    per_subject = [
        statistics.median(dict(t.subjects).get(name, 0.0) for t in timings) for name in names
    ]
    return sum(per_subject) / list_makespan(per_subject, workers)
