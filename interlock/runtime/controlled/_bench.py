"""Measure the controlled runtime: full runs per second of a callable."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["runs_per_second", "subject_runs_per_second"]


def runs_per_second(run_once: Callable[[int], object], runs: int = 500, warmup: int = 50) -> float:
    """Call ``run_once(i)`` ``runs`` times (after ``warmup`` calls); return calls per real second."""
    for i in range(warmup):
        run_once(i)
    start = time.perf_counter()
    for i in range(runs):
        run_once(i)
    return runs / (time.perf_counter() - start)


def subject_runs_per_second(
    subject_name: str = "article_queue", urls: int = 5, limit: int = 4, runs: int = 500
) -> float:
    """End-to-end schedules per second of a built-in subject (seeded random strategy, one session)."""
    from ...models import Scenario, TaskSpec
    from ...subjects import builtin_subjects
    from ._default_strategy import SeededRandom
    from ._runtime import ControlledRuntime

    subject = builtin_subjects()[subject_name]
    scenario = Scenario(
        "bench", tuple(TaskSpec(f"u{i}", duration=1.0) for i in range(urls)), limit=limit
    )
    runtime = ControlledRuntime()

    def once(seed: int) -> None:
        strategy = SeededRandom(seed)
        strategy.new_execution()
        runtime.run(subject, scenario, strategy)

    with runtime.session():
        return runs_per_second(once, runs)


if __name__ == "__main__":
    print(f"{subject_runs_per_second():.0f} runs/s")
