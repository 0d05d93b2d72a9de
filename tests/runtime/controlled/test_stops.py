"""Runs that stop, stop: what a stopped run's threads still do is not recorded, nothing
the subject does can disable the watchdog or swallow Ctrl-C, and what the scheduler
cannot model (a process, a blocking call it cannot see) is said, not misjudged."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from interlock.checkers import check_all
from interlock.models import Scenario, Stop, TaskSpec
from interlock.runtime.controlled import ControlledRuntime, run_controlled_ex
from interlock.runtime.strategies import make_strategy
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

REAL_PERF = time.perf_counter  # taken at import, before any run patches it
LIBC = ctypes.CDLL(None)


def run_subject(fn, scenario, spec="random", seed=0):
    strategy = make_strategy(spec, seed)
    strategy.new_execution()
    return ControlledRuntime().run(subject(fn), scenario, strategy)


class TestTheWatchdog:
    """It interrupts only a stuck step, and no subject can switch it off."""

    def test_a_short_c_call_is_not_cut_short(self):
        def sleeps_in_c():
            LIBC.usleep(300_000)  # 0.3 s in C, below the 1 s a step may take

        # Measured outside the run: inside it, a clock this module copied at import is
        # the virtual one (run_controlled models what the function's world made at import).
        result = run_controlled_ex(sleeps_in_c)
        assert result.exception is None
        # An interval timer ticking every 0.1 s used to end it after about 0.1 s.
        assert result.execution.wall_time >= 0.29

    def test_a_worker_cannot_take_signals_over(self):
        def ignores_alarm():
            errors = []

            def worker():
                try:
                    signal.signal(signal.SIGALRM, signal.SIG_IGN)
                except ValueError as exc:
                    errors.append(str(exc))

            t = threading.Thread(target=worker)
            t.start()
            t.join()
            return errors

        result = run_controlled_ex(ignores_alarm)
        # As CPython says to any thread but the main one.
        assert result.value == ["signal only works in main thread of the main interpreter"]

    def test_a_spin_after_ignoring_the_watchdogs_signals_is_still_stopped(self):
        def hostile():
            for name in ("SIGALRM", "SIGUSR2", "SIGVTALRM"):
                signal.signal(getattr(signal, name), signal.SIG_IGN)  # the run's main thread
            while True:
                pass

        start = REAL_PERF()
        ex = run_controlled_ex(hostile, spin_limit=0.3).execution
        assert ex.stop == Stop.SPIN
        assert REAL_PERF() - start < 10
        assert signal.getsignal(signal.SIGALRM) is not signal.SIG_IGN  # nothing leaked out

    def test_a_runs_signal_handlers_and_alarms_end_with_it(self):
        before = signal.getsignal(signal.SIGALRM)
        timer_before = signal.getitimer(signal.ITIMER_REAL)  # pytest-timeout's, if any

        def sets_an_alarm():
            signal.signal(signal.SIGALRM, lambda *args: None)
            signal.alarm(30)

        run_controlled_ex(sets_an_alarm).unwrap()
        assert signal.getsignal(signal.SIGALRM) is before
        delay, interval = signal.getitimer(signal.ITIMER_REAL)
        if timer_before[0]:  # the timer the run replaced goes on where it was
            assert timer_before[0] - 5 < delay <= timer_before[0]
        else:
            assert delay == 0.0
        assert interval == timer_before[1]

    def test_a_spin_that_catches_everything_cannot_go_on(self):
        def unkillable():
            while True:
                try:
                    while True:
                        pass
                except BaseException:  # noqa: BLE001 - the point of the test
                    pass

        start = REAL_PERF()
        ex = run_controlled_ex(unkillable, spin_limit=0.3).execution
        assert ex.stop == Stop.SPIN
        assert REAL_PERF() - start < 10


def catch_all_worker_pool(urls, fetch, limit):
    """Correct while it runs: ``limit`` workers on a queue. Its workers swallow every
    exception, even interlock's stop, and go back for more."""
    work: queue.Queue = queue.Queue()
    for url in urls:
        work.put(url)
    results = []
    deadlock = threading.Lock()
    deadlock.acquire()

    def worker():
        while True:
            try:
                url = work.get_nowait()
            except queue.Empty:
                deadlock.acquire()  # waits for good: the run deadlocks here
            try:
                results.append(fetch(url))
            except BaseException:  # noqa: BLE001 - the hostile part
                continue

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(limit)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def waits_on_a_condition_forever(urls, fetch, limit):
    cond = threading.Condition()
    with cond:
        cond.wait()  # nobody notifies: a deadlock
    return []


class TestAStoppedRun:
    """Nothing its threads do once it is stopped reaches a checker."""

    def test_catch_all_workers_record_nothing_after_the_stop(self):
        many = Scenario("many", tuple(TaskSpec(f"u{i}") for i in range(12)), limit=2)
        record = run_subject(catch_all_worker_pool, many)
        assert record.outcome == Stop.DEADLOCK
        verdicts = {v.invariant: v for v in check_all(record)}
        # Stopped, the workers caught the stop and fetched on: 12 "in flight" at once.
        assert verdicts["max_in_flight"].holds, verdicts["max_in_flight"].message
        assert not verdicts["no_deadlock"].holds

    def test_unwinding_a_condition_wait_is_no_crash(self):
        one = Scenario("one", (TaskSpec("u0"),), limit=1)
        record = run_subject(waits_on_a_condition_forever, one)
        assert record.outcome == Stop.DEADLOCK
        assert record.crash is None  # was "RuntimeError: release unlocked lock"
        verdicts = {v.invariant: v.holds for v in check_all(record)}
        assert verdicts["no_crash"] and not verdicts["no_deadlock"]


class TestInterrupts:
    """Ctrl-C, and a test's timeout firing inside a run, end it and are raised again."""

    @pytest.fixture(autouse=True)
    def _ctrl_c_as_a_terminal_delivers_it(self):
        # A test run started as a background job inherits SIGINT ignored, and a session
        # then keeps ignoring it (as Python does): these tests want Python's default.
        before = signal.signal(signal.SIGINT, signal.default_int_handler)
        yield
        signal.signal(signal.SIGINT, before)

    def test_ctrl_c_inside_a_run_is_not_swallowed(self):
        def swallows():
            os.kill(os.getpid(), signal.SIGINT)
            while True:
                try:
                    time.sleep(0.1)
                except BaseException:  # noqa: BLE001 - a subject that swallows Ctrl-C
                    pass

        start = REAL_PERF()
        with pytest.raises(KeyboardInterrupt):
            run_controlled_ex(swallows, time_limit=1e6)
        assert REAL_PERF() - start < 5

    def test_a_foreign_base_exception_ends_the_run_and_is_raised(self):
        class Outcome(BaseException):  # like pytest's: not the subject's to raise or catch
            pass

        def raised_into():
            def worker():
                raise Outcome("from a test timeout")

            t = threading.Thread(target=worker)
            t.start()
            t.join()
            return "went on"

        with pytest.raises(Outcome, match="from a test timeout"):
            run_controlled_ex(raised_into)


def _double(x):
    return 2 * x


def process_pool(urls, fetch, limit):
    with ProcessPoolExecutor(max_workers=2) as pool:
        list(pool.map(_double, range(3)))
    return [fetch(u) for u in urls]


def multiprocessing_pool(urls, fetch, limit):
    with multiprocessing.Pool(2) as pool:
        pool.map(_double, range(3))
    return [fetch(u) for u in urls]


def one_process(urls, fetch, limit):
    p = multiprocessing.Process(target=_double, args=(1,))
    p.start()
    p.join()
    return [fetch(u) for u in urls]


def leaves_a_child(urls, fetch, limit):
    subprocess.Popen(["sleep", "30"])
    return [fetch(u) for u in urls]


def reads_the_wrong_end(urls, fetch, limit):
    a, b = socket.socketpair()

    def worker():
        a.recv(1)  # nobody ever writes to b: blocks for good, where the scheduler cannot see

    t = threading.Thread(target=worker, name="reader")
    t.start()
    results = [fetch(u) for u in urls]
    t.join()
    return results


class TestWhatIsNotModelled:
    """Processes and blocking calls the scheduler cannot see: named, not misjudged."""

    ONE = Scenario("one", (TaskSpec("u0"),), limit=1)

    @pytest.mark.parametrize(
        ("fn", "what"),
        [
            (process_pool, "starts a process (ForkProcess.start)"),
            (multiprocessing_pool, "makes a process pool (multiprocessing.Pool)"),
            (one_process, "starts a process (Process.start)"),
        ],
        ids=lambda x: getattr(x, "__name__", "x"),
    )
    def test_processes_are_unsupported_and_none_is_left(self, fn, what):
        before = set(multiprocessing.active_children())
        record = run_subject(fn, self.ONE)
        assert record.outcome == Stop.UNSUPPORTED
        assert what in record.diagnosis and "--runtime threads" in record.diagnosis
        assert f"{__name__.rsplit('.', 1)[-1]}.py:" in record.diagnosis
        assert set(multiprocessing.active_children()) <= before

    def test_every_subprocess_a_run_started_is_ended_with_it(self):
        record = run_subject(leaves_a_child, self.ONE)
        assert record.returned
        left = subprocess.run(["pgrep", "-f", "^sleep 30$"], capture_output=True, text=True)
        assert left.stdout.strip() == "", left.stdout

    def test_a_blocking_call_it_cannot_see_is_named_within_seconds(self):
        start = REAL_PERF()
        record = run_subject(reads_the_wrong_end, self.ONE)
        assert REAL_PERF() - start < 10
        assert record.outcome == Stop.UNSUPPORTED
        assert "reader is blocked in socket.recv at test_stops.py:" in record.diagnosis


def busy_waits_for_workers(urls, fetch, limit):
    """Correct on any real machine (the OS preempts the spinning main thread)."""
    results = [None] * len(urls)
    done = [0]
    lock = threading.Lock()

    def work(i):
        results[i] = fetch(urls[i])
        with lock:
            done[0] += 1

    with ThreadPoolExecutor(max_workers=limit) as pool:
        for i in range(len(urls)):
            pool.submit(work, i)
        while done[0] < len(urls):
            pass  # a pure busy-wait: no scheduling point
    return results


class TestBusyWaiting:
    """Once a subject spins, its threads get time slices: a busy-wait that ends on a
    real machine ends here too, and a spin that cannot end is still a spin."""

    def test_a_busy_wait_is_preempted_not_failed(self):
        tiny = Scenario("tiny", tuple(TaskSpec(f"u{i}") for i in range(4)), limit=2)
        runtime = ControlledRuntime()
        with runtime.session():
            trials = list(runtime.trials(subject(busy_waits_for_workers), tiny, 3, key="k"))
        assert [t.record.outcome for t in trials] == [Stop.RETURNED] * 3
        assert all(t.record.sliced for t in trials)
        assert all(v.holds for t in trials for v in check_all(t.record) if not v.advisory)
        (note,) = runtime.notes(subject(busy_waits_for_workers))
        assert note.startswith("the subject busy-waits (MainThread at test_stops.py:")
