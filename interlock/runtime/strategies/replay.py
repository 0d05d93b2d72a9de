"""Scripted schedules: give back a recorded list of decisions, one per call.

One class for every scripted use: replaying a token (every decision must fit,
or the run diverged), cutting a failing schedule down to a prefix (follow the
prefix while it fits, then run without preemption), the baseline schedule (an
empty prefix) and the benchmark's fixed answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..strategy import CLOCK, Coverage
from ._errors import ReplayDiverged

__all__ = ["BASELINE", "ReplayStrategy"]

# ``then`` for a schedule that, after its recording, never preempts: the current
# thread goes on while it can, else the lowest-numbered thread runs, and time
# passes only when no thread can run (what an idle machine most likely does).
BASELINE = "baseline"


class ReplayStrategy:
    """Answers ``decisions[i]`` at the i-th decision of a single execution.

    ``then=None`` (replay): a recorded choice that is not runnable, or a run
    that outlasts the recording, raises ``ReplayDiverged``; ``remaining`` tells
    a caller whether the run used up the whole recording (a run that ended
    early also diverged). ``then=BASELINE`` (a prefix): such a decision, and
    every decision after the recording, is the baseline's choice instead.
    """

    name = "replay"

    def __init__(self, decisions: Iterable[int], *, then: str | None = None) -> None:
        if then not in (None, BASELINE):
            msg = f"'then' must be None or {BASELINE!r} (got {then!r})"
            raise ValueError(msg)
        self.decisions = tuple(decisions)
        self.then = then
        self._pos = 0
        self._runs = 0

    @property
    def remaining(self) -> int:
        """Recorded decisions not used yet."""
        return max(len(self.decisions) - self._pos, 0)

    def new_execution(self) -> bool:
        # One recording, one run; ``remaining`` keeps describing that run. A prefix
        # may be run again from its start.
        self._runs += 1
        if self.then is not None:
            self._pos = 0
            return True
        return self._runs == 1

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        pos = self._pos
        self._pos = pos + 1
        if pos < len(self.decisions):
            choice = self.decisions[pos]
            if choice in runnable:
                return choice
            if self.then is None:
                self._pos = pos
                msg = (
                    f"replay diverged at decision {pos}: the recording chose {choice}, "
                    f"which is not among the runnable {list(runnable)}"
                )
                raise ReplayDiverged(msg, pos, choice, list(runnable))
        elif self.then is None:
            self._pos = pos
            msg = (
                f"replay diverged at decision {pos}: the recording holds only "
                f"{len(self.decisions)} decisions, but the run offers a choice among {list(runnable)}"
            )
            raise ReplayDiverged(msg, pos, None, list(runnable))
        if current is not None and current in runnable:
            return current
        # runnable is sorted: CLOCK (0), if offered, comes first; take it only alone.
        return runnable[1] if runnable[0] == CLOCK and len(runnable) > 1 else runnable[0]

    def describe(self) -> str:
        if self.then is None:
            return f"replay({len(self.decisions)} decisions)"
        return f"prefix({len(self.decisions)})" if self.decisions else BASELINE

    def coverage(self) -> Coverage | None:
        return None

    def label(self) -> tuple[str, int]:
        return (BASELINE if not self.decisions and self.then else self.name), 0

    def __repr__(self) -> str:
        then = "" if self.then is None else f", then={self.then!r}"
        return f"ReplayStrategy(<{len(self.decisions)} decisions>{then})"
