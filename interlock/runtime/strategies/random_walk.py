"""Seeded random walk: at each decision, a random runnable thread.

``CLOCK`` (let virtual time pass while threads could still run) is chosen with
a small fixed chance, ``clock_bias``, rather than as one more equal choice. On a
real machine a thread runs for microseconds between synchronisation points
while a download takes seconds, so time passing under a runnable thread is the
exception; as an equal choice it wins so often (dozens of offers a run) that
orderings needing several threads to run back to back become rare. With
``clock_bias=None`` every choice, ``CLOCK`` included, is equally likely.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from ..strategy import CLOCK, Coverage
from ._registry import declare, no_argument

__all__ = ["RandomStrategy"]


class RandomStrategy:
    """Random choice among ``runnable``, from one ``random.Random(seed)``.

    The generator carries on across executions, so run N of a seed is always
    the same run. Only ``random()`` is used (an index is ``int(random() * n)``):
    its output for a given seed is the same on Python 3.10 to 3.13, and, being
    one C call, it keeps the decision cheap (``randrange`` costs ten times more).
    """

    name = "random"

    def __init__(self, seed: int, clock_bias: float | None = 0.02) -> None:
        if clock_bias is not None and not 0.0 <= clock_bias <= 1.0:
            msg = f"'clock_bias' must be between 0 and 1 (got {clock_bias!r})"
            raise ValueError(msg)
        self.seed = seed
        self.clock_bias = clock_bias
        self._random = random.Random(seed).random
        # Read once per decision (hot): whether CLOCK is just one more equal choice.
        self._uniform = clock_bias is None
        self._bias = 0.0 if clock_bias is None else clock_bias

    def new_execution(self) -> bool:
        return True  # a random walk never runs out of schedules

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        draw = self._random
        # runnable is sorted and thread ids start at 1: CLOCK (0), if offered, comes first.
        if runnable[0] != CLOCK or self._uniform:
            return runnable[int(draw() * len(runnable))]
        if draw() < self._bias:
            return CLOCK
        return runnable[1 + int(draw() * (len(runnable) - 1))]

    def describe(self) -> str:
        return "random" if self.clock_bias == 0.02 else f"random(clock_bias={self.clock_bias})"

    def coverage(self) -> Coverage | None:
        return None  # a random walk never runs out

    def label(self) -> tuple[str, int]:
        return "random", self.seed

    def __repr__(self) -> str:
        return f"RandomStrategy(seed={self.seed!r}, clock_bias={self.clock_bias!r})"


@declare(
    "random",
    usage="random",
    summary="a seeded random walk; time passes under a runnable thread now and then",
    order=20,
)
def _build(argument: str | None, seed: int) -> RandomStrategy:
    no_argument("random", argument)
    return RandomStrategy(seed)
