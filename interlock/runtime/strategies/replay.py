"""Replay: give back a recorded list of decisions, one per call, and check it fits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ._errors import ReplayDiverged

__all__ = ["ReplayStrategy"]


class ReplayStrategy:
    """Answers ``decisions[i]`` at the i-th decision of a single execution.

    Raises ``ReplayDiverged`` when a recorded choice is not runnable or the
    recording runs out; ``remaining`` tells a caller whether the run used up
    the whole recording (a run that ended early also diverged).
    """

    name = "replay"

    def __init__(self, decisions: Iterable[int]) -> None:
        self.decisions = tuple(decisions)
        self._pos = 0
        self._runs = 0

    @property
    def remaining(self) -> int:
        """Recorded decisions not used yet."""
        return len(self.decisions) - self._pos

    def new_execution(self) -> bool:
        # One recording, one run; ``remaining`` keeps describing that run.
        self._runs += 1
        return self._runs == 1

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        pos = self._pos
        if pos >= len(self.decisions):
            msg = (
                f"replay diverged at decision {pos}: the recording holds only "
                f"{len(self.decisions)} decisions, but the run offers a choice among {list(runnable)}"
            )
            raise ReplayDiverged(msg, pos, None, list(runnable))
        choice = self.decisions[pos]
        if choice not in runnable:
            msg = (
                f"replay diverged at decision {pos}: the recording chose {choice}, "
                f"which is not among the runnable {list(runnable)}"
            )
            raise ReplayDiverged(msg, pos, choice, list(runnable))
        self._pos = pos + 1
        return choice

    def describe(self) -> str:
        return f"replay({len(self.decisions)} decisions)"

    def __repr__(self) -> str:
        return f"ReplayStrategy(<{len(self.decisions)} decisions>)"
