"""Locks, thread-locals and clocks a subject made at import behave, in a run, as the
modelled ones it would make there; and what a run changes in threading stays in it."""

from __future__ import annotations

import itertools
import textwrap
import threading

import pytest

from interlock.models import Budget, Scenario, Stop, TaskSpec
from interlock.subjects import load_target
from interlock.verify import Verifier

pytestmark = pytest.mark.timeout(120)

TINY = Scenario("tiny", tuple(TaskSpec(f"u{i}", duration=1.0 + i % 2) for i in range(5)), limit=2)
_names = itertools.count()


def target(tmp_path, source: str):
    path = tmp_path / f"imported_{next(_names)}.py"
    path.write_text(textwrap.dedent(source))
    return load_target(f"{path}:download_all")


def verify(subject, runs=40):
    return Verifier(budget=Budget(runs=runs, generated=0, seconds=60)).verify(subject, [TINY])


COUNTED_BY_A_MODULE_LOCK = """
    import threading, time

    _LOCK = threading.Lock()
    _running = [0]

    def _claim(limit):
        while True:
            with _LOCK:
                if _running[0] < limit:
                    _running[0] += 1
                    return
            time.sleep(0.01)

    def download_all(urls, fetch, limit):
        results = [None] * len(urls)

        def work(i):
            _claim(limit)
            try:
                results[i] = fetch(urls[i])
            finally:
                with _LOCK:
                    _running[0] -= 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
"""

SLOTS_ON_A_MODULE_CONDITION = """
    import threading

    _SLOTS = threading.Condition()
    _state = {"in_flight": 0}

    def download_all(urls, fetch, limit):
        results = [None] * len(urls)

        def work(i):
            with _SLOTS:
                _SLOTS.wait_for(lambda: _state["in_flight"] < limit)
                _state["in_flight"] += 1
            try:
                results[i] = fetch(urls[i])
            finally:
                with _SLOTS:
                    _state["in_flight"] -= 1
                    _SLOTS.notify()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
"""

CHECK_THEN_ACT_BEHIND_A_MODULE_LOCK = """
    import threading

    _LOCK = threading.Lock()
    _running = [0]

    def download_all(urls, fetch, limit):
        results = [None] * len(urls)
        gate = threading.Semaphore(limit + 1)  # just a stray scheduling point between

        def work(i):
            while True:
                with _LOCK:
                    room = _running[0] < limit  # the check...
                if room:
                    break
                gate.acquire(); gate.release()
            gate.acquire(); gate.release()
            with _LOCK:
                _running[0] += 1  # ...and the act, under another hold of the lock
            try:
                results[i] = fetch(urls[i])
            finally:
                with _LOCK:
                    _running[0] -= 1

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
"""

LOGS_FROM_WORKERS = """
    import io, logging, threading

    _LOG = logging.getLogger("imported-logging-subject")
    _LOG.addHandler(logging.StreamHandler(io.StringIO()))
    _LOG.setLevel(logging.INFO)

    def download_all(urls, fetch, limit):
        slots = threading.BoundedSemaphore(limit)
        results = [None] * len(urls)

        def work(i):
            with slots:
                _LOG.info("start %s", urls[i])
                results[i] = fetch(urls[i])
                _LOG.info("done %s", urls[i])

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
"""

RATE_LIMITED_BY_A_COPIED_CLOCK = """
    import threading
    from time import monotonic

    STALE = 0.5  # a slot older than this is taken to be free: the bug

    def download_all(urls, fetch, limit):
        cond = threading.Condition()
        started = {}
        results = [None] * len(urls)

        def busy():
            now = monotonic()
            return sum(1 for t in started.values() if now - t < STALE)

        def work(i):
            with cond:
                while busy() >= limit:
                    cond.wait(0.1)
                started[i] = monotonic()
            try:
                results[i] = fetch(urls[i])
            finally:
                with cond:
                    del started[i]
                    cond.notify_all()

        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results
"""

BUSY_WAITS_ON_A_COPIED_CLOCK = """
    import time
    _clock = time.perf_counter

    def download_all(urls, fetch, limit, settle=0.2):
        start = _clock()
        while _clock() - start < settle:
            pass  # a busy-wait on the clock: ends on any real machine
        return [fetch(url) for url in urls]
"""

PER_THREAD_CACHE_AT_IMPORT = """
    import threading

    _CACHE = threading.local()

    def download_all(urls, fetch, limit):
        results = [None] * len(urls)
        seen = []

        def work(i):
            seen.append(getattr(_CACHE, "url", None))  # a new thread sees nothing yet
            _CACHE.url = urls[i]
            results[i] = fetch(urls[i])

        for i in range(len(urls)):
            t = threading.Thread(target=work, args=(i,))
            t.start()
            t.join()
        if any(seen):
            raise AssertionError(f"threads shared the cache: {seen}")
        return results
"""

LOCK_IN_A_TUPLE = """
    import threading

    _LOCKS = (threading.Lock(), threading.Lock())

    def download_all(urls, fetch, limit):
        return [fetch(url) for url in urls]
"""

REPLACES_THREAD_START = """
    import threading

    def download_all(urls, fetch, limit):
        original = threading.Thread.start

        def start(self):
            original(self)
            self.join()

        threading.Thread.start = start  # and never puts it back
        return [fetch(url) for url in urls]
"""


class TestLocksMadeAtImport:
    def test_a_module_lock_guards_as_a_modelled_one(self, tmp_path):
        report = verify(target(tmp_path, COUNTED_BY_A_MODULE_LOCK))
        assert report.ok, [v.message for v in report.verdicts if not v.holds]

    def test_a_module_condition_does_not_hang_the_run(self, tmp_path):
        report = verify(target(tmp_path, SLOTS_ON_A_MODULE_CONDITION))
        assert report.ok, [v.message for v in report.verdicts if not v.holds]

    def test_a_race_behind_a_module_lock_is_found(self, tmp_path):
        report = verify(target(tmp_path, CHECK_THEN_ACT_BEHIND_A_MODULE_LOCK), runs=150)
        assert report.broken() == {"max_in_flight"}, report.verdicts

    def test_logging_handlers_locks_are_modelled(self, tmp_path):
        report = verify(target(tmp_path, LOGS_FROM_WORKERS))
        assert report.ok, [v.message for v in report.verdicts if not v.holds]

    def test_a_lock_that_cannot_be_swapped_is_named(self, tmp_path):
        report = verify(target(tmp_path, LOCK_IN_A_TUPLE), runs=2)
        assert any(
            "an item of imported_" in note and "_LOCKS holds a lock made at import" in note
            for note in report.notes
        ), report.notes


class TestClocksCopiedAtImport:
    def test_a_rate_limiter_on_a_copied_clock_shows_its_bug(self, tmp_path):
        report = verify(target(tmp_path, RATE_LIMITED_BY_A_COPIED_CLOCK), runs=60)
        assert report.broken() == {"max_in_flight"}, report.verdicts
        assert not any(
            v.message.startswith("NONDETERMINISTIC") for v in report.verdicts if not v.holds
        )

    def test_a_busy_wait_on_a_copied_clock_ends(self, tmp_path):
        report = verify(target(tmp_path, BUSY_WAITS_ON_A_COPIED_CLOCK), runs=3)
        assert report.ok, [v.message for v in report.verdicts if not v.holds]


class TestThreadLocalsAndState:
    def test_a_module_thread_local_is_per_thread(self, tmp_path):
        report = verify(target(tmp_path, PER_THREAD_CACHE_AT_IMPORT), runs=3)
        assert report.ok, [v.message for v in report.verdicts if not v.holds]

    def test_what_a_run_changes_in_threading_is_put_back(self, tmp_path):
        before = threading.Thread.start
        record = next(
            iter(
                __import__("interlock.runtime.controlled", fromlist=["x"])
                .ControlledRuntime()
                .trials(target(tmp_path, REPLACES_THREAD_START), TINY, 1, key="k")
            )
        ).record
        assert record.outcome == Stop.RETURNED
        assert threading.Thread.start is before
