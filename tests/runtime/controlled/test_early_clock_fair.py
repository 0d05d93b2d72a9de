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
            stop.wait(250)

        t = threading.Thread(target=waiter)
        t.start()
        waiting.wait()  # then MainThread is runnable while the 250 s timer is pending
        # After the early clock at 250 s, MainThread still waits 100 s of its own:
        # 350 s in all, of which only 100 are the program's.
        threading.Event().wait(100)
        stop.set()
        t.join()
        return "done"

    ex = Engine().run(main, strategy=ClockWhenever(), time_limit=300.0)
    assert ex.stop == Stop.ENDED, ex.diagnosis
    assert ex.virtual_time == pytest.approx(350.0)


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
