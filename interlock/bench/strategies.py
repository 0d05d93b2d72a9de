"""Per-decision cost of each strategy's ``next_thread`` (a measurement, not a test).

Run: ``python -m interlock.bench.strategies``. Two numbers per
strategy, best of several repeats, in nanoseconds per decision:

- *direct*: ``next_thread`` in a tight loop over a few prepared
  ``(runnable, current)`` pairs, minus the same loop calling a strategy that
  answers ``runnable[0]``. For exhaustive search this is one long first
  execution, so every decision adds a node.
- *toy*: whole executions of a 4-thread toy program with a lock and sleeps, so
  ``runnable`` evolves as in a real run, minus the same executions driven by a
  script of the very same answers (a ``ReplayStrategy``). Both follow one path
  through the program, so the difference is the strategy's own work above
  answering from a list.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ..runtime.strategies import ExhaustiveStrategy, PCTStrategy, RandomStrategy, ReplayStrategy
from ..runtime.strategies._toy import ToyProgram
from ..runtime.strategy import Strategy

__all__ = ["main", "measure"]

_INPUTS: tuple[tuple[tuple[int, ...], int | None], ...] = (
    ((1, 2, 3), 1),
    ((0, 1, 2, 3), 2),
    ((1, 3), None),
    ((1, 2, 3, 4, 5), 4),
)
_PROGRAM = ToyProgram.of(
    ["+m", "a", "-m", "z", "a"] * 5,
    ["b", "+m", "b", "-m"] * 5,
    ["c", "z", "c"] * 5,
    ["+m", "d", "-m", "d"] * 5,
)


def _direct(strategy: Strategy, decisions: int) -> int:
    strategy.new_execution()
    calls = _INPUTS * (decisions // len(_INPUTS))
    next_thread = strategy.next_thread
    start = time.perf_counter_ns()
    for runnable, current in calls:
        next_thread(runnable, current)
    return time.perf_counter_ns() - start


def _toy(make: Callable[[], Strategy], runs: int, fresh: bool) -> tuple[int, int, int]:
    """(time with the strategy, time with a script of its answers, decisions).

    ``fresh`` builds a new strategy for each run (replay runs only once).
    """
    strategy = make()
    timed = scripted = decisions = 0
    for _ in range(runs):
        if fresh:
            strategy = make()
        if not strategy.new_execution():
            break
        start = time.perf_counter_ns()
        answers = _PROGRAM.run(strategy).decisions
        timed += time.perf_counter_ns() - start
        script = ReplayStrategy(answers)
        script.new_execution()
        start = time.perf_counter_ns()
        _PROGRAM.run(script)
        scripted += time.perf_counter_ns() - start
        decisions += len(answers)
    return timed, scripted, decisions


def measure(
    make: Callable[[], Strategy],
    make_for_toy: Callable[[], Strategy] | None = None,
    repeats: int = 5,
    decisions: int = 100_000,
    runs: int = 200,
) -> tuple[float, float]:
    """(direct, toy) nanoseconds per decision for strategies built by ``make``.

    ``make_for_toy``, if given, builds a one-run strategy afresh for each toy run.
    """
    first = [entry[0][0] for entry in _INPUTS] * (decisions // len(_INPUTS))
    base = min(_direct(ReplayStrategy(first), decisions) for _ in range(repeats))
    direct = min(_direct(make(), decisions) for _ in range(repeats)) - base
    samples = [_toy(make_for_toy or make, runs, make_for_toy is not None) for _ in range(repeats)]
    # Same program path in every sample, so the decision count is the same too.
    count = samples[0][2]
    timed = min(sample[0] for sample in samples)
    scripted = min(sample[1] for sample in samples)
    return direct / decisions, (timed - scripted) / count


def main(decisions: int = 100_000, runs: int = 200, repeats: int = 5) -> None:
    """Print the table; smaller arguments give a quick, rougher run."""
    direct_answers = [entry[0][0] for entry in _INPUTS] * (decisions // len(_INPUTS))
    walk = RandomStrategy(1)
    walk.new_execution()
    recorded = _PROGRAM.run(walk).decisions
    print(f"{'strategy':30} {'direct ns/decision':>19} {'toy ns/decision':>16}")
    for label, make, make_for_toy in [
        ("random", lambda: RandomStrategy(1), None),
        ("pct(d=3)", lambda: PCTStrategy(1, depth=3), None),
        ("exhaustive(preemptions<=2)", lambda: ExhaustiveStrategy(2), None),
        ("exhaustive(preemptions<=inf)", lambda: ExhaustiveStrategy(None), None),
        # A replay instance runs once, so the toy figure builds one per run.
        ("replay", lambda: ReplayStrategy(direct_answers), lambda: ReplayStrategy(recorded)),
    ]:
        direct, toy = measure(make, make_for_toy, repeats, decisions, runs)
        print(f"{label:30} {direct:19.0f} {toy:16.0f}")


if __name__ == "__main__":
    main()
