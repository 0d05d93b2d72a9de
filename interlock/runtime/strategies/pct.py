"""Probabilistic Concurrency Testing (PCT).

After Burckhardt, Kothari, Musuvathi and Nagarakatte, "A Randomized Scheduler
with Probabilistic Guarantees of Finding Bugs", ASPLOS 2010. A bug of depth d
(d ordering constraints between steps must all hold) in a program with n
threads and k steps is found by one run with probability at least
1 / (n * k**(d-1)).

Each run: every thread gets a random initial priority when it is first seen,
all of them >= d; d-1 change points are drawn over the k expected steps; the
highest-priority runnable thread always runs; at the i-th change point the
thread about to run drops to priority i, below every initial priority.

Choices made here, and why:

- A step is one call to ``next_thread``, that is one point with a real choice;
  points with a single runnable thread cannot host a useful change point.
- k is not known in advance: the first run uses ``max_steps_hint`` and later
  runs use the longest run seen so far, as the paper suggests for practice.
- ``CLOCK`` is a pseudo-thread with its own random priority, lowered at change
  points like any thread. Ranked high, time advances as soon as a timer is
  pending (a download finishes "early"); ranked low, time waits until the
  other threads block. Both orders are worth exploring, and a fixed rank for
  time would hide one of them.
- Initial priorities are ``d + random()``: a uniformly random ranking of the
  threads seen so far, stable as new threads appear, with no renumbering.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..strategy import Coverage
from ._registry import declare, parse_count

__all__ = ["PCTStrategy"]


class PCTStrategy:
    """PCT with bug depth ``depth`` (d >= 1); d=1 never changes a priority."""

    name = "pct"

    def __init__(self, seed: int, depth: int = 3, max_steps_hint: int = 100) -> None:
        if type(depth) is not int or depth < 1:
            msg = f"'depth' must be an int >= 1 (got {depth!r})"
            raise ValueError(msg)
        if type(max_steps_hint) is not int or max_steps_hint < 1:
            msg = f"'max_steps_hint' must be an int >= 1 (got {max_steps_hint!r})"
            raise ValueError(msg)
        self.seed = seed
        self.depth = depth
        self.max_steps_hint = max_steps_hint
        self._rng = random.Random(seed)
        self._longest = 0  # most steps any finished run took
        self._steps = -1  # steps in this run; -1 until the first new_execution
        self._priority: dict[int, float] = {}
        self._changes: dict[int, int] = {}  # step number -> i, for the i-th change point
        self._k = max_steps_hint

    @property
    def expected_steps(self) -> int:
        """The k that this run's change points were drawn over."""
        return self._k

    def new_execution(self) -> bool:
        self._longest = max(self._longest, self._steps)
        self._k = self._longest if self._longest > 0 else self.max_steps_hint
        self._steps = 0
        self._priority = {}
        # Distinct steps in 1..k; redraw on a clash. Only randrange is used, so
        # the draws are the same on every supported Python.
        randrange = self._rng.randrange
        changes: dict[int, int] = {}
        for i in range(1, min(self.depth - 1, self._k) + 1):
            step = randrange(self._k) + 1
            while step in changes:
                step = randrange(self._k) + 1
            changes[step] = i
        self._changes = changes
        return True  # random runs never run out

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        if self._steps < 0:
            msg = "PCTStrategy.next_thread() was called before new_execution()"
            raise RuntimeError(msg)
        self._steps += 1
        priority = self._priority
        best = -1.0
        choice = runnable[0]
        for thread in runnable:
            rank = priority.get(thread)
            if rank is None:
                rank = priority[thread] = self.depth + self._rng.random()
            if rank > best:
                best, choice = rank, thread
        lowered_to = self._changes.get(self._steps)
        if lowered_to is not None:
            priority[choice] = lowered_to
            best = -1.0
            for thread in runnable:
                if priority[thread] > best:
                    best, choice = priority[thread], thread
        return choice

    def describe(self) -> str:
        return f"pct(d={self.depth})"

    def coverage(self) -> Coverage | None:
        return None  # random priorities never run out

    def label(self) -> tuple[str, int]:
        return ("pct" if self.depth == 3 else f"pct:{self.depth}"), self.seed

    def __repr__(self) -> str:
        return f"PCTStrategy(seed={self.seed!r}, depth={self.depth}, max_steps_hint={self.max_steps_hint})"


@declare(
    "pct",
    usage="pct[:DEPTH]",
    summary="PCT (Burckhardt et al., ASPLOS 2010): random priorities, DEPTH - 1 change points",
    order=30,
)
def _build(argument: str | None, seed: int) -> PCTStrategy:
    depth = parse_count(f"pct:{argument}", argument, "DEPTH", minimum=1)
    return PCTStrategy(seed) if depth is None else PCTStrategy(seed, depth=depth)
