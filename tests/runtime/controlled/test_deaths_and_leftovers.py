"""A worker that dies is named where its death shows (which thread, of what, where, and
which URL it held); a modelled lock a finished run left behind is quiet."""

from __future__ import annotations

import gc
import queue
import sys
import threading

import pytest

from interlock.checkers import check_all
from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import ControlledRuntime, run_controlled
from interlock.runtime.strategies import make_strategy
from tests.kit import subject

pytestmark = pytest.mark.timeout(60)


def _describe(url, depth=0):
    return _describe(url, depth + 1)  # a bug: it never stops


def pool_whose_workers_recurse(urls, fetch, limit):
    todo: queue.Queue = queue.Queue()
    for url in urls:
        todo.put(url)
    results = []

    def worker():
        while True:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                return
            payload = fetch(url)
            _describe(url)  # dies here, after its download, before it keeps the result
            results.append(payload)

    workers = [threading.Thread(target=worker, name=f"worker-{i}") for i in range(limit)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def test_a_worker_that_died_is_named_in_the_verdict():
    one = Scenario("one", (TaskSpec("u0"),), limit=1)
    strategy = make_strategy("random", 0)
    strategy.new_execution()
    record = ControlledRuntime().run(subject(pool_whose_workers_recurse), one, strategy)
    lost = next(v for v in check_all(record) if v.invariant == "no_lost_results")
    assert not lost.holds
    assert lost.message.endswith(
        "; worker-0 died of RecursionError at test_deaths_and_leftovers.py:"
        f"{_describe.__code__.co_firstlineno + 1} in _describe after downloading u0"
    ), lost.message


class Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lock.acquire()

    def __del__(self) -> None:
        with self.lock:  # taken at collection, after its run ended
            pass


def test_a_modelled_lock_taken_after_its_run_is_quiet(capsys):
    kept = []
    run_controlled(lambda: kept.append(Holder()))
    unraisable = []
    old_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        kept.clear()
        gc.collect()
    finally:
        sys.unraisablehook = old_hook
    assert unraisable == []


def test_a_finished_session_leaves_no_os_thread_behind():
    # The watchdog's OS thread is gone when run_controlled returns, not one tick later
    # (CPython 3.10's lock tests count real threads at once in their tearDown).
    import _thread

    def two_threads():
        done = []
        t = threading.Thread(target=done.append, args=(1,))
        t.start()
        t.join()

    for _ in range(20):
        before = _thread._count()
        run_controlled(two_threads, seed=0)
        assert _thread._count() == before
