"""Seeded random walk: at each decision, any runnable choice with equal chance.

``CLOCK`` is one more choice among the rest, so time advances while threads
could run about as often as any one thread is picked.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["RandomStrategy"]


class RandomStrategy:
    """Uniform choice among ``runnable``, from one ``random.Random(seed)``.

    The generator carries on across executions, so run N of a seed is always
    the same run. Only ``randrange`` is used: its output for a given seed is the
    same on Python 3.10 to 3.13.
    """

    name = "random"

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._randrange = random.Random(seed).randrange

    def new_execution(self) -> bool:
        return True  # a random walk never runs out of schedules

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        return runnable[self._randrange(len(runnable))]

    def describe(self) -> str:
        return "random"

    def __repr__(self) -> str:
        return f"RandomStrategy(seed={self.seed!r})"
