"""CPython's own ``test.lock_tests`` run on the controlled scheduler.

Every test method of LockTests, RLockTests, EventTests, ConditionTests,
SemaphoreTests, BoundedSemaphoreTests and BarrierTests runs as the main thread
of one controlled run (seeded random schedule), with the lock types looked up
*inside* the run, so they are the modelled ones. Helper threads started by the
tests (``_thread.start_new_thread`` in ``Bunch``) are controlled threads, and the
tests' ``time.sleep`` polling loops run on the virtual clock.

Skipped when the interpreter has no ``test`` package. Exclusions are listed in
``EXCLUDED`` with the reason for each.
"""

from __future__ import annotations

import _thread
import sys
import threading
import unittest

import pytest

from interlock.runtime.controlled import run_controlled_ex

lock_tests = pytest.importorskip("test.lock_tests")

# name -> why it cannot run on the controlled scheduler (it is not a wrong answer).
EXCLUDED: dict[str, str] = {
    # Both fork the process (os.fork): the child would inherit a half-run greenlet scheduler.
    "test_at_fork_reinit": "uses os.fork semantics (_at_fork_reinit after fork) - not modelled",
    # RLock is the stdlib's _PyRLock on the modelled lock; its repr differs from the C RLock's
    # only in the class name, which this test matches literally on some versions.
    "test_repr": "matches the C object's repr text literally",
    "test_locked_repr": "matches the C object's repr text literally",
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


def _controlled(method, seed):
    def test(self):
        result = run_controlled_ex(
            method, self, seed=seed, max_steps=5_000_000, time_limit=3600.0, spin_limit=10.0
        )
        if result.exception is not None:
            raise result.exception

    test.__name__ = method.__name__
    test.__doc__ = method.__doc__
    return test


def _make(base, seed, **types):
    attrs = {name: staticmethod(factory) for name, factory in types.items()}
    for name in dir(base):
        if not name.startswith("test"):
            continue
        reason = EXCLUDED.get(name) or EXCLUDED_IN_CLASS.get((base.__name__, name))
        if reason:
            attrs[name] = unittest.skip(reason)(getattr(base, name))
        else:
            attrs[name] = _controlled(getattr(base, name), seed)
    return type(f"Controlled{base.__name__}Seed{seed}", (base,), attrs)


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
