"""One run of a correct pool (executor_map) on N URLs, for ``interlock bench``'s scale
figures: ``python -m interlock.bench._scale N [--heap]``, each in a fresh interpreter.

A first run of one URL comes before the measured one: it takes what any first run
takes once (code run for the first time, stack pages touched, caches filled), so
the measured run's growth is what its URLs cost. Prints 'seconds peak_kib_before_first
peak_kib_after_first peak_kib_after', or with ``--heap`` the Python heap's peak during
the measured run in bytes (tracemalloc: slower, but free of the allocator's rounding
and reuse).
"""

from __future__ import annotations

import resource
import sys
import time
import tracemalloc

from ..models import Scenario, Subject, TaskSpec

__all__ = ["measure", "scale_scenario"]


def scale_scenario(urls: int) -> Scenario:
    tasks = tuple(TaskSpec(f"u{i}", duration=1.0 + i % 8) for i in range(urls))
    return Scenario("scale", tasks, limit=8)


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def measure(urls: int, heap: bool) -> str:
    from ..implementations import executor_map
    from ._figures import _controlled_runner

    scenario, first = scale_scenario(urls), scale_scenario(1)
    subject = Subject.from_module(executor_map)
    runtime, run = _controlled_runner()
    at_start = _peak_kib()
    with runtime.session():
        run(subject, first, "random", 1)
    before = _peak_kib()
    if heap:
        tracemalloc.start()
    start = time.perf_counter()
    with runtime.session():
        run(subject, scenario, "random", 1)
    seconds = time.perf_counter() - start
    if heap:
        return str(tracemalloc.get_traced_memory()[1])
    return f"{seconds} {at_start} {before} {_peak_kib()}"


if __name__ == "__main__":
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):
        words = measure(int(sys.argv[1]), "--heap" in sys.argv[2:])
    print(words)
