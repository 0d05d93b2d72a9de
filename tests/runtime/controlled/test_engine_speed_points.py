"""The cheap paths of the scheduler: which operations are (not) scheduling points.

Counts, never timings: a point with one runnable thread asks no strategy, a
try-lock whose outcome no other thread can change is no point, and a run with
hundreds of threads still ends exactly (the engine counts live threads and
live timers instead of scanning them).
"""

from __future__ import annotations

import threading
import time

from interlock.runtime.controlled import run_controlled_ex


class Counting:
    """Lowest thread id always; counts how often it is asked."""

    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def new_execution(self) -> bool:
        return True

    def next_thread(self, runnable, current):
        self.calls += 1
        return next(t for t in runnable if t != 0)

    def describe(self) -> str:
        return "counting"


def _steps(fn) -> tuple[int, int]:
    strategy = Counting()
    ex = run_controlled_ex(fn, strategy=strategy).execution
    assert ex.stop == "ended"
    return ex.steps, strategy.calls


def test_a_lone_thread_never_asks_the_strategy():
    def main():
        lock = threading.Lock()
        for _ in range(50):
            with lock:
                pass

    steps, calls = _steps(main)
    assert steps == 100  # acquire and release are each still a point
    assert calls == 0


def test_notify_by_the_holder_costs_no_extra_point():
    def plain():
        lock = threading.Lock()
        with lock:
            pass

    def notifying():
        cond = threading.Condition(threading.Lock())
        with cond:
            cond.notify()
            cond.notify_all()

    assert _steps(notifying)[0] == _steps(plain)[0]


def test_try_lock_of_a_lock_one_holds_is_not_a_point_but_of_a_free_one_is():
    def own():
        lock = threading.Lock()
        lock.acquire()
        got = lock.acquire(False)
        lock.release()
        assert got is False

    def free():
        lock = threading.Lock()
        assert lock.acquire(False)
        lock.release()

    assert _steps(own)[0] == 2
    assert _steps(free)[0] == 2


def test_condition_still_refuses_notify_without_the_lock():
    def main():
        cond = threading.Condition(threading.Lock())
        try:
            cond.notify()
        except RuntimeError as exc:
            return str(exc)
        return None

    assert run_controlled_ex(main).unwrap() == "cannot notify on un-acquired lock"


def test_hundreds_of_threads_with_timers_end_exactly():
    done = []

    def worker(i):
        time.sleep(0.001 * (i % 7))
        done.append(i)

    def main():
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return len(done)

    result = run_controlled_ex(main, seed=3)
    assert result.unwrap() == 300
    assert result.execution.threads_at_end == ()


def test_timeout_and_notify_race_leaves_no_stale_timer():
    # A waiter woken by notify before its timeout must not keep virtual time
    # alive: the run ends at once when everyone is done, at t=0.
    def main():
        cond = threading.Condition()
        box = []

        def waiter():
            with cond:
                box.append(cond.wait(timeout=100))

        t = threading.Thread(target=waiter)
        t.start()
        while True:
            with cond:
                if cond._waiters:
                    cond.notify()
                    break
            time.sleep(0)
        t.join()
        return box

    result = run_controlled_ex(main, seed=1)
    assert result.unwrap() == [True]
    assert result.execution.virtual_time == 0.0
