"""The controlled engine: scheduling, virtual time, deadlock reports, stops, restoration."""

from __future__ import annotations

import concurrent.futures
import queue
import random
import threading
import time
from multiprocessing.pool import ThreadPool

import pytest

from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import (
    CLOCK,
    ControlledRuntime,
    Engine,
    RunStopped,
    run_controlled,
    run_controlled_ex,
)
from interlock.subjects import builtin_subjects
from tests.kit import FirstRunnable


class SeededRandom:
    """Uniform random; ``clock`` is the chance of picking CLOCK when it is offered."""

    name = "test-random"

    def __init__(self, seed: int, clock: float | None = None) -> None:
        self.seed, self.clock = seed, clock
        self.rng = random.Random(seed)

    def new_execution(self) -> bool:
        self.rng = random.Random(self.seed)
        return True

    def next_thread(self, runnable, current):
        if self.clock is not None and runnable[0] == CLOCK:
            if self.rng.random() < self.clock:
                return CLOCK
            runnable = runnable[1:]
        return runnable[self.rng.randrange(len(runnable))]

    def describe(self) -> str:
        return f"test-random({self.seed})"


def producer_consumer():
    q = queue.Queue(2)
    out = []

    def produce():
        for i in range(4):
            q.put(i)
        q.put(None)

    def consume():
        while (item := q.get()) is not None:
            time.sleep(1)
            out.append((item, threading.current_thread().name, time.monotonic()))

    threads = [threading.Thread(target=produce), threading.Thread(target=consume)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


class TestRuns:
    """Ordinary programs run to completion, on virtual time, deterministically."""

    def test_producer_consumer_result(self):
        out = run_controlled(producer_consumer, seed=3)
        assert [i for i, _, _ in out] == [0, 1, 2, 3]
        assert {name for _, name, _ in out} == {"Thread-2 (consume)"}
        assert [t for _, _, t in out] == [1.0, 2.0, 3.0, 4.0]

    def test_same_seed_same_decisions(self):
        a = run_controlled_ex(producer_consumer, seed=11).execution
        b = run_controlled_ex(producer_consumer, seed=11).execution
        assert a.decisions == b.decisions
        assert a.steps == b.steps

    def test_virtual_clocks(self):
        def main():
            time.sleep(5)
            return time.monotonic(), time.perf_counter(), time.time()

        mono, perf, wall = run_controlled(main)
        assert (mono, perf) == (5.0, 5.0)
        assert wall == 1_700_000_000.0 + 5.0

    def test_timed_wait_ends_both_ways(self):
        def main():
            event = threading.Event()
            # Their timers are 0.05 s apart: a busy machine may hold the setter back
            # that long (time passing early), and no longer (see EARLY_TIME).
            setter = threading.Timer(1.0, event.set)
            setter.start()
            got = event.wait(1.05)
            setter.join()
            return got

        seen = {run_controlled(main, strategy=SeededRandom(seed)) for seed in range(40)}
        assert seen == {True, False}

    def test_queue_get_timeout(self):
        def main():
            with pytest.raises(queue.Empty):
                queue.Queue().get(timeout=2.5)
            return time.monotonic()

        assert run_controlled(main) == 2.5

    def test_thread_local_is_per_thread(self):
        def main():
            local = threading.local()
            local.x = "main"
            seen = []

            def worker():
                seen.append(getattr(local, "x", None))
                local.x = "worker"

            t = threading.Thread(target=worker)
            t.start()
            t.join()
            return seen, local.x

        assert run_controlled(main) == ([None], "main")

    def test_executor_and_thread_pool(self):
        def main():
            with concurrent.futures.ThreadPoolExecutor(3) as ex:
                futures = [ex.submit(pow, 2, i) for i in range(5)]
                done = sorted(f.result() for f in concurrent.futures.as_completed(futures))
                mapped = list(ex.map(str, range(3)))
            return done, mapped

        assert run_controlled(main, seed=5) == ([1, 2, 4, 8, 16], ["0", "1", "2"])

    def test_multiprocessing_thread_pool(self):
        def main():
            with ThreadPool(2) as pool:
                return pool.map(abs, [-1, -2, -3])

        assert run_controlled(main, seed=5, spin_limit=0.5) == [1, 2, 3]

    def test_thread_names_and_idents_are_deterministic(self):
        def main():
            threads = {threading.Thread(target=lambda: None) for _ in range(4)}
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return [t.name for t in threads], threading.get_ident(), threading.current_thread().name

        first = run_controlled(main, seed=1)
        assert run_controlled(main, seed=2) == first
        assert first[1:] == (1, "MainThread")

    def test_uncaught_thread_exception_is_captured(self, capsys):
        def main():
            t = threading.Thread(target=lambda: 1 / 0, name="boom")
            t.start()
            t.join()

        ex = run_controlled_ex(main).execution
        assert [(c.type, c.thread) for c in ex.thread_errors] == [("ZeroDivisionError", "boom")]
        assert "ZeroDivisionError" not in capsys.readouterr().err

    def test_main_exception_is_raised_with_execution(self):
        def main():
            raise KeyError("x")

        with pytest.raises(KeyError) as info:
            run_controlled(main)
        assert info.value.__interlock__.main_done


class TestDeadlocks:
    """No runnable thread and no timer: reported with who waits on what, and why."""

    def test_lock_cycle(self):
        def main():
            a, b = threading.Lock(), threading.Lock()

            def one():
                with a:
                    time.sleep(1)
                    with b:
                        pass

            def two():
                with b:
                    time.sleep(1)
                    with a:
                        pass

            ts = [threading.Thread(target=one), threading.Thread(target=two)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()

        ex = run_controlled_ex(main, strategy=FirstRunnable()).execution
        assert ex.stop == "deadlock"
        assert "Cycle" in ex.diagnosis
        assert "Lock.acquire" in ex.diagnosis
        waits = {s.name: s.waiting_on for s in ex.blocked}
        assert waits["MainThread"] == "Thread.join: waits for Thread-1 (one) to end"
        assert waits["Thread-1 (one)"] == "Lock.acquire: held by Thread-2 (two)"

    def test_consumer_with_no_producer_left(self):
        def main():
            q = queue.Queue()

            def producer():
                q.put(1)

            def consumer():
                q.get()
                q.get()

            ts = [threading.Thread(target=producer), threading.Thread(target=consumer)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()

        ex = run_controlled_ex(main, seed=0).execution
        assert ex.stop == "deadlock"
        assert "Queue.get: queue empty" in ex.diagnosis
        assert "no live thread can put an item" in ex.diagnosis
        consumer = next(s for s in ex.blocked if "consumer" in s.name)
        assert consumer.where.startswith("test_engine_behaviour.py:")
        assert consumer.where.endswith("in consumer")


class TestStops:
    """A run never hangs: spin, step budget, virtual-time budget; the next run is clean."""

    def test_spin_then_normal_run(self):
        def spin():
            t = threading.Thread(target=lambda: [None for _ in iter(int, 1)])
            t.start()
            t.join()

        ex = run_controlled_ex(spin, spin_limit=0.3).execution
        assert ex.stop == "spin"
        assert "without reaching a scheduling point" in ex.diagnosis
        assert threading.Lock is not None and not isinstance(threading.Lock(), type(None))
        assert run_controlled(producer_consumer, seed=3)[0][0] == 0

    def test_step_budget(self):
        def main():
            while True:
                time.sleep(0)

        assert run_controlled_ex(main, max_steps=500).execution.stop == "step_budget"

    def test_time_budget(self):
        def main():
            while True:
                time.sleep(1)

        ex = run_controlled_ex(main, time_limit=30).execution
        assert ex.stop == "timeout"
        assert ex.virtual_time <= 30

    def test_leftover_thread_reported_after_return(self):
        def main():
            threading.Thread(target=queue.Queue().get, name="stuck").start()
            return "done"

        result = run_controlled_ex(main)
        assert result.value == "done"
        assert [s.name for s in result.execution.threads_at_end] == ["stuck"]
        assert "would hang at exit" in result.execution.diagnosis

    def test_patches_restored_even_when_subject_raises(self):
        before = (threading.Lock, time.sleep, time.monotonic, queue.SimpleQueue, threading._CRLock)
        with pytest.raises(RunStopped):
            run_controlled(lambda: queue.Queue().get())
        assert (
            threading.Lock,
            time.sleep,
            time.monotonic,
            queue.SimpleQueue,
            threading._CRLock,
        ) == before
        assert all(isinstance(k, int) and k > 1000 for k in threading._active)


class TestSubjects:
    """The article's defects show up on the controlled runtime."""

    SCENARIO = Scenario("five", tuple(TaskSpec(f"u{i}", duration=1.0) for i in range(5)), limit=4)

    def _runs(self, name, n, clock):
        runtime = ControlledRuntime()
        subject = builtin_subjects()[name]
        with runtime.session():
            for seed in range(n):
                strategy = SeededRandom(seed, clock=clock)
                strategy.new_execution()
                yield runtime.run(subject, self.SCENARIO, strategy)

    def test_article_queue_reaches_five_in_flight(self, capsys):
        peaks = {r.trace.max_in_flight().count for r in self._runs("article_queue", 200, 0.02)}
        assert 5 in peaks

    def test_empty_check_pool_can_strand_a_worker(self):
        stranded = [r for r in self._runs("empty_check_pool", 200, None) if r.threads_at_end]
        assert stranded
        assert "Queue.get" in stranded[0].threads_at_end[0].waiting_on
        assert all(r.outcome == "returned" for r in stranded)


def test_engine_is_not_reentrant():
    engine = Engine()

    def inner():
        engine.run(lambda: None, strategy=FirstRunnable())

    ex = engine.run(inner, strategy=FirstRunnable())
    assert isinstance(ex.exception, RuntimeError)
    assert "not re-entrant" in str(ex.exception)
