"""Fair schedules: no thread starved by the clock, no clock starved by a spinning thread,
no runnable thread starved by a strategy; and a bug that needs a timeout to fire while
another thread could run is still found."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from interlock.models import Stop
from interlock.runtime.controlled import run_controlled_ex
from interlock.runtime.strategies import PCTStrategy, RandomStrategy

pytestmark = pytest.mark.timeout(120)

SEEDS = range(30)
ITEMS = 100


def strategies():
    for seed in SEEDS:
        yield PCTStrategy(seed, depth=3)
        # A PCT that has seen long runs before: its change points come late, so whoever
        # ranks first (a spinning thread, or time itself) keeps running for long.
        yield PCTStrategy(seed, depth=3, max_steps_hint=1_000_000)
        yield RandomStrategy(seed)
        yield RandomStrategy(seed, clock_bias=None)  # time as likely as any thread


def lock_poller() -> str:
    """Correct on any real machine: one thread polls a flag under a lock, the other
    sleeps, then sets it under the same lock."""
    lock = threading.Lock()
    state = {"done": False}

    def setter():
        time.sleep(0.5)
        with lock:
            state["done"] = True

    worker = threading.Thread(target=setter)
    worker.start()
    while True:
        with lock:
            if state["done"]:
                break
    worker.join()
    return "done"


def polling_manager() -> int:
    """Correct: a manager wakes every 0.1 s until the workers have done every item; the
    workers never sleep, so a timer is always pending while they could run."""
    work: queue.Queue = queue.Queue()
    for i in range(ITEMS):
        work.put(i)
    finished = []
    lock = threading.Lock()

    def worker():
        while True:
            try:
                item = work.get_nowait()
            except queue.Empty:
                return
            for _ in range(3):  # some work per item: scheduling points, no time passing
                with lock:
                    pass
            with lock:
                finished.append(item)

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    while True:
        with lock:
            if len(finished) == ITEMS:
                break
        time.sleep(0.1)
    for w in workers:
        w.join()
    return len(finished)


def impatient_consumer() -> int:
    """A real bug: the consumer gives up after 10 ms without an item, and the producer
    puts its first item only after some work; if the consumer's timeout fires while the
    producer is still runnable, items are never consumed."""
    items: queue.Queue = queue.Queue()
    got = []

    def consumer():
        while True:
            try:
                got.append(items.get(timeout=0.01))
            except queue.Empty:
                return

    c = threading.Thread(target=consumer)
    c.start()
    lock = threading.Lock()
    for i in range(3):
        with lock:  # some work before each put: scheduling points, no time passing
            pass
        items.put(i)
    c.join()
    return len(got)


@pytest.mark.parametrize("program", [lock_poller, polling_manager], ids=lambda f: f.__name__)
def test_correct_polling_code_always_finishes(program):
    for strategy in strategies():
        result = run_controlled_ex(program, strategy=strategy, time_limit=10.0, max_steps=50_000)
        ex = result.execution
        assert ex.stop == Stop.ENDED and result.exception is None, (strategy, ex.stop, ex.diagnosis)


def test_time_passes_early_only_a_bounded_number_of_times():
    # The uniform random walk takes CLOCK as often as any thread: unbounded, the 0.1 s
    # manager above would see time run to the budget while its workers wait runnable.
    for seed in SEEDS:
        result = run_controlled_ex(
            polling_manager, strategy=RandomStrategy(seed, clock_bias=None), time_limit=60.0
        )
        assert result.value == ITEMS
        assert result.execution.virtual_time < 1.0, (seed, result.execution.virtual_time)


def test_a_bug_that_needs_a_timeout_to_fire_early_is_still_found():
    counts = {run_controlled_ex(impatient_consumer, strategy=s).value for s in strategies()}
    assert min(counts) < 3  # some schedule lets the timeout fire before the last put
    assert 3 in counts  # and the usual one consumes everything
