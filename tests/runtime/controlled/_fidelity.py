"""Run CPython's own unittest test classes on the controlled scheduler.

Shared by ``test_fidelity_lock_tests.py`` (``test.lock_tests``) and
``test_fidelity_queue.py`` (``test.test_queue``). Each test method of a stdlib
class becomes the main thread of one controlled run under a seeded
``TimelyRandom`` schedule; the class's own ``setUp`` runs inside that run, so
the locks and queues it makes are the modelled ones.
"""

from __future__ import annotations

import random
import unittest
from collections.abc import Callable

from interlock.runtime.controlled import CLOCK, run_controlled_ex

__all__ = ["TimelyRandom", "controlled_test", "make_controlled_class"]


class TimelyRandom:
    """Seeded random among threads; virtual time moves only when every thread is blocked.

    The stdlib tests assume timely scheduling: ``lock_tests`` checks that "nothing
    insane happened" (a 0.5 s wait takes less than 5 s), and ``test_queue``'s
    ``_TriggerThread`` sleeps 0.1 s before unblocking the main thread, then checks
    that main really blocked. The engine's CLOCK choice deliberately breaks such
    timeliness (a thread may stay descheduled while time passes), so this
    strategy never picks CLOCK while a thread could run; it still explores the
    thread interleavings.
    """

    name = "timely-random"

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._rng = random.Random(seed)

    def new_execution(self) -> bool:
        self._rng = random.Random(self.seed)
        return True

    def next_thread(self, runnable, current):
        threads = [t for t in runnable if t != CLOCK]
        return threads[self._rng.randrange(len(threads))]

    def describe(self) -> str:
        return f"timely-random({self.seed})"


def controlled_test(
    method: Callable,
    seed: int,
    set_up: Callable,
    *,
    max_steps: int,
    spin_limit: float,
    check_threads: bool = False,
) -> Callable:
    """``method`` wrapped to run, after ``set_up``, as the main thread of one controlled run.

    What the method raised is raised again. With ``check_threads``, the run must
    also end with no uncaught exception in a helper thread and no helper thread
    left alive. A test method that calls another one (``test_barrier_10`` calls
    ``test_barrier(10)``) runs the callee inside the same run.
    """

    def body(self, *args):
        # The fixture objects (BarrierTests makes its barrier in setUp, the queue
        # tests their queue) must be made inside the run to be the modelled ones.
        set_up(self)
        self._in_controlled_run = True
        method(self, *args)

    def test(self, *args):
        if getattr(self, "_in_controlled_run", False):
            return method(self, *args)
        result = run_controlled_ex(
            body,
            self,
            *args,
            strategy=TimelyRandom(seed),
            max_steps=max_steps,
            time_limit=3600.0,
            spin_limit=spin_limit,
        )
        if result.exception is not None:
            raise result.exception
        if check_threads:
            ex = result.execution
            assert not ex.thread_errors, f"a helper thread raised: {ex.thread_errors!r}"
            assert not ex.leftover, f"threads left running after the test: {ex.leftover!r}"
        return None

    test.__name__ = method.__name__
    test.__doc__ = method.__doc__
    return test


def make_controlled_class(
    base: type,
    seed: int,
    attrs: dict[str, object],
    wrap: Callable[[Callable], Callable],
    skip_reason: Callable[[str], str | None],
) -> type:
    """``Controlled<Base>Seed<seed>``: every ``test*`` method of ``base`` wrapped by
    ``wrap``, or skipped with ``skip_reason(name)`` when that gives a reason."""
    attrs = dict(attrs)
    for name in dir(base):
        if not name.startswith("test"):
            continue
        reason = skip_reason(name)
        if reason:
            attrs[name] = unittest.skip(reason)(getattr(base, name))
        else:
            attrs[name] = wrap(getattr(base, name))
    return type(f"Controlled{base.__name__}Seed{seed}", (base,), attrs)
