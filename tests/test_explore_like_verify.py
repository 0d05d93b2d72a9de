"""``explore`` runs a function as ``verify`` runs a subject: objects made at import are
modelled, a busy-wait is preempted by time slices, and a daemon thread left running at
return is killed at exit, not a failure. Each of these was once a false FAIL."""

from __future__ import annotations

import signal
import textwrap

import pytest

import interlock
from interlock.explorer import explore
from interlock.runtime.controlled import controlled_session
from interlock.subjects import load_callable

pytestmark = pytest.mark.timeout(120)

needs_slices = pytest.mark.skipif(
    not hasattr(signal, "SIGVTALRM"), reason="time slices need SIGVTALRM"
)


def _function(tmp_path, source: str, name: str):
    path = tmp_path / f"{name}_module.py"
    path.write_text(textwrap.dedent(source))
    return load_callable(f"{path}:{name}")


PER_THREAD_AT_IMPORT = """
    import threading

    _state = threading.local()  # made at import, as libraries do

    def keeps_its_own():
        def other():
            _state.owner = "other"

        _state.owner = "first"
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert _state.owner == "first", f"overwritten by another thread: {_state.owner!r}"
"""


class TestObjectsMadeAtImport:
    """A threading.local made at import keeps one value per thread under explore."""

    def test_explore_gives_each_thread_its_own_copy(self, tmp_path):
        fn = _function(tmp_path, PER_THREAD_AT_IMPORT, "keeps_its_own")
        result = explore(fn, runs=30, seed=3)
        assert result.ok, result.report()

    def test_run_controlled_gives_each_thread_its_own_copy(self, tmp_path):
        fn = _function(tmp_path, PER_THREAD_AT_IMPORT, "keeps_its_own")
        assert interlock.run_controlled(fn, seed=1) is None
        with controlled_session():
            for seed in range(3):
                assert interlock.run_controlled(fn, seed=seed) is None

    def test_the_original_is_back_after_the_run(self, tmp_path):
        fn = _function(tmp_path, PER_THREAD_AT_IMPORT, "keeps_its_own")
        before = fn.__globals__["_state"]
        explore(fn, runs=3)
        interlock.run_controlled(fn)
        assert fn.__globals__["_state"] is before


BUSY_WAITS = """
    import os
    import threading
    import time

    def waits_busily():
        state = {"done": False}

        def worker():
            time.sleep(0.01)
            state["done"] = True

        t = threading.Thread(target=worker)
        t.start()
        while not state["done"]:
            os.sched_yield()
        t.join()

    def spins_for_ever():
        state = {"done": False}
        while not state["done"]:
            pass
"""


@needs_slices
class TestBusyWaits:
    """A busy-wait another thread ends passes; one nobody can end is still a spin."""

    def test_a_busy_wait_that_ends_is_preempted_and_passes(self, tmp_path):
        fn = _function(tmp_path, BUSY_WAITS, "waits_busily")
        result = explore(fn, runs=20, seed=0)
        assert result.ok, result.report()
        assert "waits_busily busy-waits" in result.coverage

    def test_a_spin_nobody_can_end_is_still_reported(self, tmp_path):
        fn = _function(tmp_path, BUSY_WAITS, "spins_for_ever")
        result = explore(fn, runs=5, seed=0)
        assert not result.ok
        assert result.failure.kind == "spin", result.report()
        assert "spins_for_ever" in result.failure.message


LEAVES_THREADS = """
    import threading
    import time

    def poll():
        while True:
            time.sleep(0.05)

    def leaves_a_daemon():
        threading.Thread(target=poll, daemon=True).start()
        return 1

    def leaves_a_worker():
        threading.Thread(target=poll).start()
        return 1
"""


class TestThreadsLeftRunning:
    """CPython kills daemon threads at exit and waits for the others."""

    def test_a_daemon_left_polling_is_not_a_failure(self, tmp_path):
        fn = _function(tmp_path, LEAVES_THREADS, "leaves_a_daemon")
        result = explore(fn, runs=10, seed=0)
        assert result.ok, result.report()

    def test_a_non_daemon_left_polling_fails_naming_the_function(self, tmp_path):
        fn = _function(tmp_path, LEAVES_THREADS, "leaves_a_worker")
        result = explore(fn, runs=10, seed=0)
        assert not result.ok
        assert result.failure.kind == "timeout"
        message = result.failure.message
        assert "after leaves_a_worker returned" in message
        assert "download_all" not in message
        assert "the process would hang at exit" in message
