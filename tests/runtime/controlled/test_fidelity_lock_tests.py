"""CPython's own ``test.lock_tests`` run on the controlled scheduler.

Every test method of LockTests, RLockTests, EventTests, ConditionTests,
SemaphoreTests, BoundedSemaphoreTests and BarrierTests runs as the main thread
of one controlled run (seeded random schedule), with the lock types looked up
*inside* the run, so they are the modelled ones. Helper threads started by the
tests (``_thread.start_new_thread`` in ``Bunch``) are controlled threads, and the
tests' ``time.sleep`` polling loops run on the virtual clock.

Skipped when the interpreter has no ``test`` package. Exclusions are listed in
``EXCLUDED`` with the reason for each. On 3.10 the stdlib ``tearDown`` is replaced
by the 3.11+ check (see ``_count_only_tear_down``).
"""

from __future__ import annotations

import _thread
import sys
import threading

import pytest

from tests.runtime.controlled._fidelity import controlled_test, make_controlled_class

lock_tests = pytest.importorskip("test.lock_tests")

# name -> why it cannot run on the controlled scheduler (it is not a wrong answer).
EXCLUDED: dict[str, str] = {
    # Both fork the process (os.fork): the child would inherit a half-run greenlet scheduler.
    "test_at_fork_reinit": "uses os.fork semantics (_at_fork_reinit after fork) - not modelled",
}

# The exclusions that apply to one class only (class name, test name) -> reason.
EXCLUDED_IN_CLASS: dict[tuple[str, str], str] = {}

SEEDS = (0, 1)


def _start_new_thread(function, args, kwargs=None):
    # lock_tests imported start_new_thread from _thread at import time; look it up at call time
    # so that, inside a run, it is the patched (controlled) one.
    return _thread.start_new_thread(function, args, *([kwargs] if kwargs else []))


@pytest.fixture(autouse=True, scope="module")
def _dynamic_start_new_thread():
    saved = lock_tests.start_new_thread
    lock_tests.start_new_thread = _start_new_thread
    yield
    lock_tests.start_new_thread = saved


def _controlled(method, seed, set_up):
    return controlled_test(method, seed, set_up, max_steps=2_000_000, spin_limit=2.0)


def _count_only_tear_down(self):
    """3.10's ``tearDown`` without its ``threading._dangling`` comparison.

    On 3.10, ``threading_helper.threading_cleanup`` retries up to 100 times (10 ms
    sleep and three full ``gc.collect()`` each) until ``threading._dangling`` equals
    the copy taken in ``setUp``. The engine keeps the last run's ``Thread`` objects
    alive after the run (its per-run thread table and the parked worker greenlet's
    local ``th``), so the sets never match again: every test then spends all 100
    retries in tearDown (about 6 s per test measured, more in a larger session),
    which looked like a hang.
    3.11+ compares only ``_thread._count()``, the real OS threads; so does this.
    """
    count_before = self._threads[0]
    self.assertLessEqual(_thread._count(), count_before, "a controlled run left a real OS thread")
    lock_tests.support.reap_children()


def _make(base, seed, **types):
    attrs = {name: staticmethod(factory) for name, factory in types.items()}
    base_set_up = base.setUp

    def own_set_up(self):
        # BaseTestCase.setUp records the real thread count outside the run; run again
        # inside it, it would record the run's (virtual) count, and tearDown would then
        # wait its full second for real threads (pytest-xdist's own) to go away.
        real_count = self._threads
        base_set_up(self)
        self._threads = real_count

    attrs["setUp"] = lock_tests.BaseTestCase.setUp  # the rest of setUp runs inside the run
    if sys.version_info < (3, 11) and base.tearDown is lock_tests.BaseTestCase.tearDown:
        attrs["tearDown"] = _count_only_tear_down

    def skip_reason(name):
        return EXCLUDED.get(name) or EXCLUDED_IN_CLASS.get((base.__name__, name))

    return make_controlled_class(
        base, seed, attrs, lambda method: _controlled(method, seed, own_set_up), skip_reason
    )


# Factories resolve threading's names at call time: inside a run, they are the modelled ones.
for _seed in SEEDS:
    for _cls in (
        _make(lock_tests.LockTests, _seed, locktype=lambda *a, **k: threading.Lock(*a, **k)),
        _make(lock_tests.RLockTests, _seed, locktype=lambda *a, **k: threading.RLock(*a, **k)),
        _make(lock_tests.EventTests, _seed, eventtype=lambda *a, **k: threading.Event(*a, **k)),
        _make(
            lock_tests.ConditionTests, _seed, condtype=lambda *a, **k: threading.Condition(*a, **k)
        ),
        _make(
            lock_tests.SemaphoreTests, _seed, semtype=lambda *a, **k: threading.Semaphore(*a, **k)
        ),
        _make(
            lock_tests.BoundedSemaphoreTests,
            _seed,
            semtype=lambda *a, **k: threading.BoundedSemaphore(*a, **k),
        ),
        _make(
            lock_tests.BarrierTests, _seed, barriertype=lambda *a, **k: threading.Barrier(*a, **k)
        ),
    ):
        globals()[_cls.__name__] = _cls
del _cls, _seed


def test_exclusions_are_few():
    """The fidelity claim is only as good as what it leaves out."""
    assert len(EXCLUDED) + len(EXCLUDED_IN_CLASS) <= 5, sys.version
