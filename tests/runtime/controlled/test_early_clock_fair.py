"""Letting time pass while a thread can run is the scheduler's choice, not the subject's
slowness: it must never make a run time out.

A correct program with a long-lived heartbeat (``while not stop.wait(600)``) or a
watchdog ``Timer(1000)``, cancelled when the work is done, was judged "did not finish
within its budget": an early clock at t=0, with MainThread runnable, jumped straight to
the heartbeat's timer, past the scenario's 300 virtual seconds (or to 600 s, leaving
the downloads no time). The program ends in microseconds on real threads.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from interlock.models import Budget, Stop
from interlock.runtime.controlled._engine import Engine
from interlock.runtime.strategies import make_strategy
from interlock.runtime.strategy import CLOCK
from interlock.verify import Verifier
from tests.kit import FirstRunnable, subject

pytestmark = pytest.mark.timeout(120)


def with_a_heartbeat(urls, fetch, limit):
    stop = threading.Event()
    beats = []

    def heartbeat():
        while not stop.wait(600):
            beats.append(1)

    hb = threading.Thread(target=heartbeat, name="heartbeat")
    hb.start()
    try:

        def one(url):
            try:
                return fetch(url)
            except OSError as exc:
                return exc

        with ThreadPoolExecutor(max_workers=limit) as pool:
            return list(pool.map(one, urls))
    finally:
        stop.set()
        hb.join()


class ClockWhenever(FirstRunnable):
    """Lets time pass whenever it may, else the newest thread: the early clocks at once."""

    name = "clock"

    def next_thread(self, runnable, current):
        return CLOCK if CLOCK in runnable else runnable[-1]


def test_an_early_clock_to_a_timer_past_the_limit_does_not_time_the_run_out():
    def main():
        stop = threading.Event()
        t = threading.Thread(target=stop.wait, args=(600,))
        t.start()
        stop.set()  # MainThread is runnable here: the early clock is offered
        t.join()
        return "done"

    ex = Engine().run(main, strategy=ClockWhenever(), time_limit=300.0)
    assert ex.stop == Stop.ENDED, ex.diagnosis
    assert ex.result == "done"


def test_time_an_early_clock_lets_pass_is_not_counted_against_the_limit():
    def main():
        stop = threading.Event()
        waiting = threading.Event()

        def waiter():
            waiting.set()
            stop.wait(0.08)

        t = threading.Thread(target=waiter)
        t.start()
        waiting.wait()  # then MainThread is runnable while the 0.08 s timer is pending
        # After the early clock to 0.08 s, MainThread still waits 100 s of its own:
        # 100.08 s in all, of which only 100 are the program's.
        threading.Event().wait(100)
        stop.set()
        t.join()
        return "done"

    ex = Engine().run(main, strategy=ClockWhenever(), time_limit=100.05)
    assert ex.stop == Stop.ENDED, ex.diagnosis
    assert ex.virtual_time == pytest.approx(100.08)


def test_no_early_clock_holds_a_runnable_thread_back_for_a_far_timer():
    """A safety-net timeout (``join(600)``, ``ev.wait(30)``) never fires while the thread
    that would end the wait could run: a real scheduler does not hold a runnable thread
    back for seconds. The old code jumped to the timer whenever the strategy chose to."""

    def main():
        ready = threading.Event()
        worker = threading.Thread(target=ready.set)
        worker.start()  # MainThread goes on, the worker is runnable: no clock for 30 s
        assert ready.wait(30), "the event was not set within 30 s"
        worker.join(600)
        assert not worker.is_alive(), "the worker still runs after join(600)"
        return "done"

    for strategy in [
        ClockWhenever(),
        *(make_strategy(s, n) for s in ("random", "pct") for n in range(40)),
    ]:
        strategy.new_execution()
        ex = Engine().run(main, strategy=strategy)
        assert ex.stop == Stop.ENDED, ex.diagnosis
        assert ex.exception is None, ex.exception
        assert ex.result == "done"


def test_early_clocks_let_little_time_pass_in_all():
    """Each early clock is bounded by what is left of EARLY_TIME: three timers 0.06 s
    apart cannot all fire while a thread could run."""

    def main():
        fired = []
        timers = [threading.Timer(0.06 * (i + 1), fired.append, (i,)) for i in range(3)]
        for t in timers:
            t.start()
        spin = threading.Event()
        for _ in range(50):
            spin.wait(0)  # a scheduling point with MainThread runnable, time passing not
        seen = list(fired)
        for t in timers:
            t.join()
        return seen

    seen = Engine().run(main, strategy=ClockWhenever()).result
    assert seen == [0]  # 0.06 s passed early; 0.12 s would be more than EARLY_TIME


def test_a_program_that_truly_waits_past_the_limit_still_times_out():
    def main():
        threading.Event().wait(600)  # nobody can run: this is the program's own wait

    ex = Engine().run(main, strategy=ClockWhenever(), time_limit=300.0)
    assert ex.stop == Stop.TIMEOUT


def test_a_correct_pool_with_a_heartbeat_holds_every_invariant():
    report = Verifier(budget=Budget(runs=40, generated=8, seconds=20)).verify(
        subject(with_a_heartbeat)
    )
    broken = [(v.invariant, v.message) for v in report.verdicts if not v.holds]
    assert not broken


def test_a_run_puts_back_the_recursion_limit_and_switch_interval_it_changed():
    from interlock.runtime.controlled import ControlledRuntime
    from interlock.runtime.strategies import make_strategy
    from interlock.scenarios import load_scenario

    def lowers_them(urls, fetch, limit):
        def worker():
            sys.setrecursionlimit(200)
            sys.setswitchinterval(0.5)

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        return []

    limit, interval = sys.getrecursionlimit(), sys.getswitchinterval()
    strategy = make_strategy("random", 0)
    strategy.new_execution()
    record = ControlledRuntime().run(subject(lowers_them), load_scenario("tiny"), strategy)
    assert record.outcome == Stop.RETURNED, record.crash
    assert (sys.getrecursionlimit(), sys.getswitchinterval()) == (limit, interval)


def test_finite_busy_work_never_makes_a_far_timeout_fire():
    """A worker doing 3,000 lock steps of finite work (it never blocks) while MainThread
    waits in ``join(600)``: the busy rule lets time pass as the work takes time, a
    little a burst, not straight to the 600 s timer."""

    def main():
        lock = threading.Lock()
        done = []

        def work():
            for i in range(3000):
                with lock:
                    done.append(i)

        worker = threading.Thread(target=work)
        worker.start()
        worker.join(600)
        assert not worker.is_alive(), f"join(600) timed out after {len(done)} steps"
        return len(done)

    for n in range(10):
        strategy = make_strategy("random", n)
        strategy.new_execution()
        ex = Engine().run(main, strategy=strategy)
        assert ex.stop == Stop.ENDED, ex.diagnosis
        assert ex.exception is None, ex.exception
        assert ex.virtual_time < 1.0
