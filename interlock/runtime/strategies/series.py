"""A series of schedules for exploring one scenario: the baseline, then fresh strategies.

Execution 0 is the baseline schedule (no preemption; time passes only when no
thread can run), the one an idle machine would most likely give. Execution
``i >= 1`` is a fresh strategy seeded with ``derive_seed(seed, key, i - 1)``:
each run is reproducible from its own label (spec and seed) alone, and two
scenarios (two keys) explored with one seed get unrelated schedules.

``mix``, the default, alternates random walks and PCT: PCT finds ordering bugs
of small depth, the random walk covers the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ...models import derive_seed
from ..strategy import Coverage, Strategy
from ._registry import declare, make_strategy, no_argument
from .replay import BASELINE, ReplayStrategy

__all__ = ["MIX", "SeriesStrategy", "for_exploration"]

MIX = ("random", "pct")  # what "mix" alternates, starting with the first


class SeriesStrategy:
    """The baseline, then ``make(spec_i, seed_i)`` for each later execution.

    ``specs`` are used in turn (``("random", "pct")`` alternates them); ``key``
    names the stream of executions (a scenario). Never runs out.
    """

    name = "series"
    # Execution i is made from (spec, seed) alone, whatever the runs before did: a run
    # can be left out (another shard's) without changing the ones after it.
    independent_runs = True

    def __init__(
        self,
        specs: Sequence[str],
        seed: int,
        key: str = "",
        make: Callable[[str, int], Strategy] = make_strategy,
    ) -> None:
        self.specs = tuple(specs)
        self.seed = seed
        self.key = key
        self._make = make
        self._index = -1
        self._current: Strategy | None = None
        self._label: tuple[str, int] = (BASELINE, 0)

    def new_execution(self) -> bool:
        self._index += 1
        i = self._index
        if i == 0:
            self._current = ReplayStrategy((), then=BASELINE)
            self._label = (BASELINE, 0)
        else:
            spec = self.specs[(i - 1) % len(self.specs)]
            seed = derive_seed(self.seed, self.key, i - 1)
            self._current = self._make(spec, seed)
            self._label = (spec, seed)
        self._current.new_execution()
        self.next_thread = self._current.next_thread  # the engine asks it directly
        return True

    def next_thread(self, runnable, current):  # replaced per execution by new_execution
        msg = "SeriesStrategy.next_thread() was called before new_execution()"
        raise RuntimeError(msg)

    def describe(self) -> str:
        return "mix" if self.specs == MIX else "for_exploration(" + ", ".join(self.specs) + ")"

    def coverage(self) -> Coverage | None:
        return None

    def label(self) -> tuple[str, int]:
        return self._label

    def __repr__(self) -> str:
        return f"SeriesStrategy({self.specs!r}, seed={self.seed!r}, key={self.key!r})"


def for_exploration(spec: str, seed: int, key: str) -> Strategy:
    """The strategy to explore one scenario (``key``) with: ``spec`` itself when it can
    finish (exhaustive search keeps one search tree), else a series of it."""
    strategy = make_strategy(spec, seed)
    if strategy.coverage() is not None:
        return strategy
    if isinstance(strategy, SeriesStrategy):
        return SeriesStrategy(strategy.specs, seed, key)
    return SeriesStrategy((spec,), seed, key)


@declare(
    "mix",
    usage="mix",
    summary="the default: a baseline schedule, then random walks and PCT in turn",
    order=10,
)
def _build(argument: str | None, seed: int) -> SeriesStrategy:
    no_argument("mix", argument)
    return SeriesStrategy(MIX, seed)
