"""What the patched names give: the run's own world inside a run, the real one outside.

A session swaps names in ``threading``, ``_thread``, ``time`` and
``multiprocessing`` for the whole process. Inside a run they answer with
virtual time and the run's own threads; any other code running while the
session is open (pytest itself, a logging thread, the test's own lines) must
keep getting real answers.
"""

from __future__ import annotations

import _thread
import multiprocessing
import multiprocessing.connection
import multiprocessing.queues
import threading
import time

import pytest

from interlock.runtime.controlled import controlled_session, run_controlled, run_controlled_ex
from interlock.runtime.controlled._patching import EPOCH

pytestmark = pytest.mark.timeout(60)


class TestInsideARun:
    """Subject code sees virtual time and only the run's threads."""

    def test_nanosecond_clocks_are_virtual(self):
        def main():
            time.sleep(2.5)
            return time.monotonic_ns(), time.perf_counter_ns(), time.time_ns()

        assert run_controlled(main) == (2_500_000_000, 2_500_000_000, round((EPOCH + 2.5) * 1e9))

    def test_a_negative_sleep_is_refused_as_the_real_one_does(self):
        def main():
            with pytest.raises(ValueError, match="sleep length must be non-negative"):
                time.sleep(-1)
            return time.monotonic()

        assert run_controlled(main) == 0.0

    def test_only_the_runs_threads_are_listed(self):
        def main():
            release = threading.Event()
            seen = {}

            def worker():
                seen["main"] = threading.main_thread()
                seen["ids"] = (threading.get_ident(), threading.get_native_id())
                release.wait()

            helper = threading.Thread(target=worker, name="helper")
            helper.start()
            while "ids" not in seen:
                time.sleep(0.1)
            names = sorted(t.name for t in threading.enumerate())
            count = threading.active_count()
            release.set()
            helper.join()
            return names, count, seen["main"] is threading.current_thread(), seen["ids"]

        names, count, main_is_main, ids = run_controlled(main)
        assert names == ["MainThread", "helper"]
        assert count == 2
        assert main_is_main
        assert ids == (2, 2)

    def test_system_exit_in_a_thread_is_not_an_error(self):
        def main():
            quits = threading.Thread(target=_thread.exit, name="quits")
            quits.start()
            quits.join()
            return "done"

        result = run_controlled_ex(main)
        assert result.value == "done"
        assert result.execution.thread_errors == ()


class TestOutsideARunWhileASessionIsOpen:
    """The test's own code, between runs, gets the real clock and real threads."""

    def test_clocks_and_identity_stay_real(self):
        ident = threading.get_ident()
        wall_before = time.time_ns()
        with controlled_session():
            t0 = time.monotonic_ns()
            time.sleep(0.01)
            elapsed = time.monotonic_ns() - t0
            assert elapsed >= 10_000_000  # a real sleep, on the real clock
            assert time.time_ns() >= wall_before  # the real wall clock, not the virtual epoch
            assert time.perf_counter_ns() > 0
            assert threading.get_ident() == ident
            assert threading.get_native_id() != 1
            assert threading.main_thread() is threading.current_thread()
            assert threading.current_thread() in threading.enumerate()
            assert threading.active_count() == len(threading.enumerate())

    def test_a_real_thread_started_meanwhile_runs_for_real(self):
        with controlled_session():
            done = threading.Event()
            results = []

            def work():
                results.append(threading.get_ident())
                done.set()

            worker = threading.Thread(target=work, name="real-worker")
            worker.start()
            worker.join(10)
            raw_done = _thread.allocate_lock()
            raw_done.acquire()
            _thread.start_new_thread(raw_done.release, ())
            assert raw_done.acquire(timeout=10)
        assert done.is_set()
        assert results == [worker.ident]
        assert results[0] != threading.get_ident()

    def test_multiprocessing_pipes_stay_real(self):
        with controlled_session():
            queue = multiprocessing.SimpleQueue()
            reader, writer = multiprocessing.Pipe(duplex=False)
            try:
                assert multiprocessing.connection.wait([reader], timeout=0) == []
                writer.send("ping")
                assert multiprocessing.connection.wait([reader], timeout=10) == [reader]
            finally:
                reader.close()
                writer.close()
                queue.close()
        assert isinstance(queue, multiprocessing.queues.SimpleQueue)
