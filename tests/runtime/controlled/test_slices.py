"""Time slices preempt a busy-waiting thread only where the subject's code runs.

A time slice ends on a timer signal, wherever the thread happens to be. Inside
interlock's own code (a modelled lock's bookkeeping, the engine's, the fake
download's) handing the CPU to another thread makes a run no machine can make: a
lock checked free and not yet marked taken is taken by the next thread too. Under
a heavy load the timer's ticks come irregularly (two close together ended a
"slice" after microseconds), so the old engine preempted there now and then.

The tests deliver the slice timer's tick by hand, from inside a modelled lock's
release and from inside the subject's own loop, after burning more than a slice of
CPU time: only the second may preempt.
"""

from __future__ import annotations

import signal
import sys
import threading
import time

import pytest

from interlock.models import Stop
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.controlled import _runtime as controlled_runtime
from interlock.runtime.controlled._engine import Engine
from interlock.runtime.controlled._watchdog import _is_interlocks
from interlock.runtime.strategies import make_strategy
from interlock.scenarios import load_scenario
from tests.kit import subject

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not hasattr(signal, "SIGVTALRM"), reason="time slices need SIGVTALRM"),
]


def _burn(seconds: float) -> None:
    """Use ``seconds`` of this OS thread's CPU time (more than a slice)."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def _tick_twice(engine, frame) -> bool:
    """Deliver the slice timer's tick, use a whole slice of CPU, deliver it again; True
    when another thread ran in between (the second tick preempted)."""
    engine._slice_tick(signal.SIGVTALRM, frame)
    before = engine.steps
    _burn(controlled_runtime.SLICE * 3)
    engine._slice_tick(signal.SIGVTALRM, frame)
    return engine.steps != before


def _sliced_run(fn):
    runtime = ControlledRuntime(sliced=True)
    strategy = make_strategy("random", 1)
    strategy.new_execution()
    with runtime.session():
        assert runtime.engine.can_slice
        return runtime.run(subject(fn), load_scenario("tiny"), strategy)


def locked_pool(urls, fetch, limit):
    """Every download under one lock: the releases have waiters to wake."""
    lock = threading.Lock()
    results = [None] * len(urls)

    def work(i):
        with lock:
            try:
                results[i] = fetch(urls[i])
            except OSError as exc:
                results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_slice_that_ends_inside_a_modelled_lock_does_not_preempt(monkeypatch):
    preempted: list[bool] = []
    real_wake_all = Engine.wake_all

    def wake_all(self, waitlist):
        # Called from Lock.release, between marking the lock free and waking its
        # waiters: the tick's frame is the release's own.
        if not preempted:
            preempted.append(_tick_twice(self, sys._getframe(1)))
        real_wake_all(self, waitlist)

    monkeypatch.setattr(Engine, "wake_all", wake_all)
    record = _sliced_run(locked_pool)
    assert preempted == [False]
    assert record.outcome == Stop.RETURNED


def test_a_slice_that_ends_in_the_subjects_own_loop_preempts():
    engine = ControlledRuntime().engine
    preempted: list[bool] = []
    go = []

    def spinning(urls, fetch, limit):
        def waiter():
            if not preempted:
                preempted.append(_tick_twice(engine, sys._getframe()))
            while not go:  # the busy-wait itself: here the OS may preempt
                pass

        t = threading.Thread(target=waiter)
        t.start()
        go.append(True)
        t.join()
        return [fetch(url) for url in urls]

    record = _sliced_run(spinning)
    assert preempted == [True]
    assert record.outcome == Stop.RETURNED


def test_interlocks_own_files_are_told_from_the_subjects():
    import interlock.implementations.article_queue as builtin
    import interlock.runtime.controlled._primitives as primitives

    assert _is_interlocks(primitives.__file__)
    assert not _is_interlocks(builtin.__file__)  # a built-in subject is a subject
    assert not _is_interlocks(threading.__file__)
    assert not _is_interlocks(__file__)
    assert not _is_interlocks("<string>")
