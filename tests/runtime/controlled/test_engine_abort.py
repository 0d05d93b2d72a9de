"""Ending a controlled run that will not end by itself: stubborn subjects, spins, bad strategies.

A stop (deadlock, spin, budget) throws ``Aborted`` into every thread left. These
tests make that hard on purpose: a subject that catches the abort, one that
blocks again (even in a real, unmodelled lock) while being stopped, a spin on
the main OS thread and off it, and a strategy that answers nonsense. Each run
must still end with a clear verdict, and the next run must be clean.
"""

from __future__ import annotations

import _thread
import queue
import threading
import time
from pathlib import Path

import pytest

from interlock.runtime.controlled import (
    CLOCK,
    Engine,
    StrategyError,
    _watchdog,
    controlled_session,
    run_controlled,
    run_controlled_ex,
)
from tests.kit import FirstRunnable

pytestmark = pytest.mark.timeout(60)

HERE = Path(__file__).name
REAL = (threading.Lock, time.sleep, time.monotonic, queue.SimpleQueue, _thread.start_new_thread)


def line_of(marker: str) -> int:
    """The line of this file that carries ``# <marker>``, so tests need no line numbers."""
    lines = Path(__file__).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, f"marker {marker!r} found {len(hits)} times"
    return hits[0]


def world_is_restored() -> bool:
    current = (threading.Lock, time.sleep, time.monotonic, queue.SimpleQueue)
    return current + (_thread.start_new_thread,) == REAL


def a_clean_run_follows() -> bool:
    """A plain producer/consumer run after the stop gives its exact result (under any
    schedule), and the patches are gone again afterwards."""

    def main():
        inbox = queue.Queue()
        worker = threading.Thread(target=lambda: inbox.put("ok"))
        worker.start()
        time.sleep(2)
        worker.join()
        return inbox.get(), time.monotonic()

    return run_controlled(main, seed=1) == ("ok", 2.0) and world_is_restored()


class Answers:
    """A broken strategy: always answers ``pick``, whatever it is offered."""

    name = "answers"

    def __init__(self, pick) -> None:
        self.pick = pick
        self.offered: list[tuple] = []

    def new_execution(self) -> bool:
        return True

    def next_thread(self, runnable, current):
        self.offered.append(tuple(runnable))
        return self.pick

    def describe(self) -> str:
        return f"answers({self.pick!r})"


def consumer_without_producer(worker):
    """Main starts ``worker`` and joins it; ``worker`` is expected to block for good."""

    def main():
        thread = threading.Thread(target=worker, name="stubborn")
        thread.start()
        thread.join()

    return main


class TestStubbornSubjects:
    """A thread that fights the stop does not keep the run from ending."""

    def test_catching_the_abort_and_blocking_again(self):
        caught = []
        inbox = queue.Queue()

        def worker():
            try:
                inbox.get()
            except BaseException as exc:  # noqa: BLE001 - the subject under test is careless
                caught.append(type(exc).__name__)
                inbox.get()  # blocks again, while being stopped

        ex = run_controlled_ex(consumer_without_producer(worker)).execution
        assert ex.stop == "deadlock"
        assert not ex.main_done
        assert "stubborn is blocked in Queue.get: queue empty" in ex.diagnosis
        assert caught == ["Aborted"]
        assert a_clean_run_follows()

    def test_swallowing_the_abort_and_returning(self):
        events = []
        inbox = queue.Queue()

        def worker():
            try:
                inbox.get()
            except BaseException:  # noqa: BLE001
                events.append("swallowed")
            events.append("returned normally")

        ex = run_controlled_ex(consumer_without_producer(worker)).execution
        assert ex.stop == "deadlock"
        assert [s.name for s in ex.blocked] == ["MainThread", "stubborn"]
        assert events == ["swallowed", "returned normally"]
        assert ex.thread_errors == ()
        assert a_clean_run_follows()

    def test_stuck_in_an_unmodelled_lock_while_being_stopped(self):
        real = _thread.allocate_lock()  # made outside the run: a real C lock
        real.acquire()
        reached = []
        inbox = queue.Queue()

        def worker():
            try:
                inbox.get()
            finally:
                reached.append("finally")
                real.acquire()  # never released by anyone: the OS thread would hang here

        try:
            ex = run_controlled_ex(consumer_without_producer(worker), spin_limit=0.2).execution
        finally:
            assert real.locked()  # still the test's: the subject never got it
            real.release()
        assert ex.stop == "deadlock"
        assert reached == ["finally"]
        assert a_clean_run_follows()


def spin_forever() -> None:
    n = 0
    while True:  # spin
        n += 1  # spin body


def spin_lines() -> set[str]:
    """Where a spin in ``spin_forever`` can be caught: the loop's test or its body."""
    return {f"{HERE}:{line_of(m)} in spin_forever" for m in ("spin", "spin body")}


class TestSpin:
    """A thread that never reaches a scheduling point is stopped and located."""

    def test_spin_names_the_thread_and_its_line(self):
        def main():
            thread = threading.Thread(target=spin_forever, name="spinner")
            thread.start()
            thread.join()

        ex = run_controlled_ex(main, spin_limit=0.2).execution
        assert ex.stop == "spin"
        spinner = next(s for s in ex.blocked if s.name == "spinner")
        assert spinner.where in spin_lines()
        assert spinner.waiting_on == "running without a scheduling point"
        assert "spinner ran for more than 0.2s of real time" in ex.diagnosis
        assert f"without reaching a scheduling point at {spinner.where}" in ex.diagnosis
        assert a_clean_run_follows()

    def test_a_thread_not_started_yet_when_the_run_stops(self):
        # FirstRunnable keeps main running after it hands a raw thread to the scheduler,
        # so that thread never starts before main spins.
        def main():
            _thread.start_new_thread(lambda: None, ())
            spin_forever()

        strategy = FirstRunnable()
        ex = run_controlled_ex(main, strategy=strategy, spin_limit=0.2).execution
        assert ex.stop == "spin"
        states = {s.name: (s.waiting_on, s.where) for s in ex.blocked}
        assert states["thread-2"] == (None, "(not started yet)")
        assert states["MainThread"][1] in spin_lines()
        assert a_clean_run_follows()

    def test_a_session_off_the_main_os_thread_still_stops_a_spin(self):
        # Off the main thread no signal handler runs: the watchdog raises SpinDetected
        # in the engine's thread instead, and the spin is located from its traceback.
        box: dict = {}

        def host():
            engine = Engine()
            try:
                with engine.session():
                    box["ex"] = engine.run(spin_forever, strategy=FirstRunnable(), spin_limit=0.2)
                    box["after"] = engine.run(
                        lambda: time.sleep(3) or time.monotonic(), strategy=FirstRunnable()
                    )
            except BaseException as exc:  # noqa: BLE001 - reported by the assertions below
                box["error"] = exc

        helper = threading.Thread(target=host, name="host")
        helper.start()
        helper.join(30)
        assert not helper.is_alive()
        assert "error" not in box, box.get("error")
        ex = box["ex"]
        assert ex.stop == "spin"
        assert [(s.name, s.waiting_on) for s in ex.blocked] == [
            ("MainThread", "running without a scheduling point")
        ]
        assert ex.blocked[0].where in spin_lines()
        assert "MainThread ran for more than 0.2s of real time" in ex.diagnosis
        assert box["after"].result == 3.0
        assert world_is_restored()

    def test_run_controlled_from_another_os_thread_after_one_here(self):
        assert run_controlled(lambda: 1) == 1  # pools a greenlet on this thread
        box: dict = {}

        def host():
            try:
                box["value"] = run_controlled(lambda: time.sleep(3) or time.monotonic())
            except BaseException as exc:  # noqa: BLE001
                box["error"] = exc

        helper = threading.Thread(target=host)
        helper.start()
        helper.join(30)
        if "error" in box:
            raise box["error"]
        assert box["value"] == 3.0


class TestStrategyErrors:
    """A strategy answering outside its choices stops the run with a StrategyError."""

    @pytest.mark.parametrize("pick", [99, CLOCK, "1"])
    def test_an_answer_that_was_not_offered(self, pick):
        def main():
            threads = [threading.Thread(target=time.sleep, args=(0,)) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        strategy = Answers(pick)
        with pytest.raises(StrategyError) as info:
            run_controlled_ex(main, strategy=strategy)
        offered = strategy.offered[0]
        assert str(info.value) == (
            f"strategy {strategy!r} chose {pick!r}, which is not one of {offered}"
        )
        assert CLOCK not in offered
        assert world_is_restored()
        assert a_clean_run_follows()


class TestSessions:
    """Patches live exactly as long as the outermost session."""

    def test_nested_sessions_keep_the_patches_until_the_outer_one_ends(self):
        with controlled_session():
            with controlled_session():
                assert run_controlled(lambda: time.sleep(1) or time.monotonic()) == 1.0
            assert time.sleep is not REAL[1]  # the inner exit left them installed
            assert run_controlled(lambda: time.sleep(2) or time.monotonic()) == 2.0
        assert world_is_restored()

    def test_patches_are_removed_when_the_watchdog_cannot_start(self, monkeypatch):
        def refuse(self):
            msg = "no interval timer"
            raise OSError(msg)

        monkeypatch.setattr(_watchdog.Watchdog, "start", refuse)
        with pytest.raises(OSError, match="no interval timer"):
            with Engine().session():
                pytest.fail("the session body must not run")
        assert world_is_restored()
