"""The default strategy of ``run_controlled``: seeded uniform random choice.

The real strategies live in ``interlock/runtime/strategies/``; the engine never
imports them, so this package keeps its own minimal default.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["SeededRandom"]


class SeededRandom:
    """Pick uniformly among the choices; the same seed gives the same picks."""

    name = "random"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def new_execution(self) -> bool:
        self._rng = random.Random(self.seed)
        return True

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        return runnable[self._rng.randrange(len(runnable))]

    def describe(self) -> str:
        return f"random(seed={self.seed})"
