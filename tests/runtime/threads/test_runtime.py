"""The real-threads runtime: real runs of small subjects written here, each in a forked child."""

from __future__ import annotations

import _thread
import ast
import os
import queue
import re
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

import interlock.runtime.threads as threads_module
from interlock.errors import InterlockError
from interlock.models import Scenario, TaskSpec
from interlock.models.record import DEADLOCK, RAISED, RETURNED, TIMEOUT
from interlock.runtime._threads_inspect import (
    _call_can_end_alone,
    _Parked,
    _parse_statement,
    is_library_file,
    view_thread,
)
from interlock.runtime.threads import ThreadsRuntime
from tests.kit import subject

HERE = Path(__file__).name


def line_of(marker: str) -> int:
    """The line of this file that carries ``# <marker>``, so tests need no line numbers."""
    lines = Path(__file__).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, f"marker {marker!r} found {len(hits)} times"
    return hits[0]


def scenario(n: int = 4, *, limit: int = 2, budget: float | None = None, fails=()) -> Scenario:
    tasks = tuple(TaskSpec(f"u{i}", duration=1.0, fails=i in fails) for i in range(n))
    return Scenario("small", tasks, limit=limit, budget=budget)


@pytest.fixture(autouse=True)
def no_thread_leaks():
    """Every run happens in a child: the test process never gains a thread."""
    before = threading.active_count()
    yield
    assert threading.active_count() == before


# --- subjects ------------------------------------------------------------------------


def semaphore_pool(urls, fetch, limit):
    gate = threading.Semaphore(limit)
    results = []
    lock = threading.Lock()

    def download(url):
        with gate:
            try:
                item = fetch(url)
            except OSError as exc:
                item = exc
        with lock:
            results.append(item)

    threads = [threading.Thread(target=download, args=(u,)) for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def raises_at_once(urls, fetch, limit):
    raise ValueError(f"cannot handle {len(urls)} urls")


def leaves_a_worker_behind(urls, fetch, limit):
    inbox = queue.Queue()

    def worker():
        inbox.get()  # stuck-worker waits

    threading.Thread(target=worker, name="stuck-worker").start()
    return [fetch(u) for u in urls]


def leaves_a_raw_thread_behind(urls, fetch, limit):
    inbox = queue.Queue()
    running = threading.Event()

    def wait_forever():
        running.set()
        inbox.get()

    _thread.start_new_thread(wait_forever, ())  # not a threading.Thread: still watched
    running.wait()  # a raw thread that has not started yet has no frames to see
    return [fetch(u) for u in urls]


def leaves_a_sleeper_behind(urls, fetch, limit):
    threading.Thread(target=lambda: time.sleep(3600), name="sleeper", daemon=True).start()
    return [fetch(u) for u in urls]


def joins_a_waiter(urls, fetch, limit):
    never = threading.Event()
    waiter = threading.Thread(target=lambda: never.wait(), name="waiter")  # waiter waits
    waiter.start()
    waiter.join()  # main joins
    return []


def takes_locks_in_opposite_orders(urls, fetch, limit):
    a, b = threading.Lock(), threading.Lock()
    both_hold_one = threading.Barrier(2)

    def first():
        with a:
            both_hold_one.wait()
            b.acquire()  # first wants b

    def second():
        with b:
            both_hold_one.wait()
            with a:  # second wants a
                pass

    threads = [threading.Thread(target=f, name=f.__name__) for f in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return []


def waits_on_a_simple_queue(urls, fetch, limit):
    inbox = queue.SimpleQueue()
    return [inbox.get()]  # simple get


def spins(urls, fetch, limit):
    n = 0
    while True:
        n += 1


def polls_forever(urls, fetch, limit):
    inbox = queue.Queue()
    while True:
        try:
            return [inbox.get(timeout=0.01)]
        except queue.Empty:
            pass


def prints_like_the_article(urls, fetch, limit):
    results = []
    for url in urls:
        try:
            results.append(fetch(url))
        except OSError as exc:
            print(f"Could not open document: {url}")
            results.append(exc)
    return results


def a_thread_crashes(urls, fetch, limit):
    def broken():
        raise RuntimeError("worker fell over")

    t = threading.Thread(target=broken, name="broken")
    t.start()
    t.join()
    return [fetch(u) for u in urls]


def hogs_the_gil(urls, fetch, limit):
    # Catastrophic backtracking: the regex engine holds the GIL throughout, so the
    # child's watchdog never runs and only the parent's deadline can end the run.
    return [re.match(r"(a*)*b", "a" * 64)]


def exits_the_process(urls, fetch, limit):
    os._exit(3)


# --- runs ----------------------------------------------------------------------------


class TestReturned:
    """download_all returns: results, trace, and what was left running."""

    @pytest.mark.timeout(30)
    def test_correct_subject_returns_everything_and_leaves_nothing(self):
        sc = scenario(6, limit=2, fails={3})
        record = ThreadsRuntime().run(subject(semaphore_pool), sc)
        assert record.outcome == RETURNED
        assert record.runtime == "threads"
        assert record.subject == "semaphore_pool"
        assert sorted(r.url for r in record.results) == sorted(sc.urls)
        assert {r.kind for r in record.results if r.url == "u3"} == {"error"}
        assert all(r.intact for r in record.results)
        assert len(record.trace) == 2 * len(sc.tasks)
        assert record.trace.max_in_flight().count <= 2  # the semaphore makes this certain
        assert record.threads_at_end == ()
        assert record.crash is None
        assert record.diagnosis is None
        assert record.thread_errors == ()

    @pytest.mark.timeout(30)
    def test_scenario_survives_the_pipe(self):
        sc = scenario(3)
        record = ThreadsRuntime().run(subject(semaphore_pool), sc)
        assert record.scenario == sc
        assert record.scenario.task("u2") == sc.task("u2")

    @pytest.mark.timeout(30)
    def test_worker_blocked_forever_after_return_is_reported(self):
        record = ThreadsRuntime().run(subject(leaves_a_worker_behind), scenario(2))
        assert record.outcome == RETURNED
        assert [t.name for t in record.threads_at_return] == ["stuck-worker"]
        (stuck,) = record.threads_at_end
        assert stuck.name == "stuck-worker"
        assert stuck.waiting_on == "Queue.get"
        assert stuck.where == f"{HERE}:{line_of('stuck-worker waits')} in worker"
        assert stuck.stack[0].endswith(" in worker: inbox.get()  # stuck-worker waits")
        assert stuck.stack[-1].startswith("threading.py:")  # inside Condition.wait
        assert "stuck-worker: Queue.get" in record.diagnosis

    @pytest.mark.timeout(30)
    def test_thread_started_with_underscore_thread_is_reported_too(self):
        record = ThreadsRuntime().run(subject(leaves_a_raw_thread_behind), scenario(2))
        assert record.outcome == RETURNED
        (stuck,) = record.threads_at_end
        assert stuck.name.startswith("thread-")
        assert stuck.waiting_on == "Queue.get"

    @pytest.mark.timeout(30)
    def test_sleeping_leftover_is_shown_sleeping(self):
        record = ThreadsRuntime().run(subject(leaves_a_sleeper_behind), scenario(2))
        assert record.outcome == RETURNED
        (sleeper,) = record.threads_at_end
        assert (sleeper.name, sleeper.daemon, sleeper.waiting_on) == ("sleeper", True, "sleep")

    @pytest.mark.timeout(30)
    def test_the_os_schedules_every_trial(self):
        runtime = ThreadsRuntime()
        trials = list(runtime.trials(subject(semaphore_pool), scenario(2), 2, key="two"))
        assert [(t.record.outcome, t.strategy) for t in trials] == [(RETURNED, None)] * 2
        assert runtime.replay(subject(semaphore_pool), scenario(2), [1, 2]) is None
        assert not runtime.replayable and not runtime.exact


class TestRaised:
    """download_all raises, or something dies."""

    @pytest.mark.timeout(30)
    def test_exception_is_the_crash_with_its_traceback(self):
        record = ThreadsRuntime().run(subject(raises_at_once), scenario(3))
        assert record.outcome == RAISED
        assert record.results is None
        assert record.crash.type == "ValueError"
        assert record.crash.message == "cannot handle 3 urls"
        assert 'raise ValueError(f"cannot handle' in record.crash.traceback
        assert record.diagnosis == "download_all raised ValueError: cannot handle 3 urls"

    @pytest.mark.timeout(30)
    def test_exception_in_a_subject_thread_is_captured_not_printed(self, capfd):
        record = ThreadsRuntime().run(subject(a_thread_crashes), scenario(2))
        assert record.outcome == RETURNED
        (error,) = record.thread_errors
        assert (error.type, error.message, error.thread) == (
            "RuntimeError",
            "worker fell over",
            "broken",
        )
        assert 'raise RuntimeError("worker fell over")' in error.traceback
        out, err = capfd.readouterr()
        assert (out, err) == ("", "")

    @pytest.mark.timeout(30)
    def test_child_that_exits_without_reporting(self):
        record = ThreadsRuntime().run(subject(exits_the_process), scenario(2))
        assert record.outcome == RAISED
        assert record.crash.type == "ChildProcessDied"
        assert "exited with status 3" in record.crash.message


class TestDeadlock:
    """Every thread parked for good: reported early, with what each waits on."""

    @pytest.mark.timeout(30)
    def test_join_on_a_thread_waiting_for_an_event(self):
        runtime = ThreadsRuntime()
        sc = scenario(2, budget=20_000)  # 20 s real: detection must not need the budget
        record = runtime.run(subject(joins_a_waiter), sc)
        assert record.outcome == DEADLOCK
        assert record.wall_time < runtime.plan(sc).budget
        waits = {t.name: t for t in record.blocked}
        assert set(waits) == {"MainThread", "waiter"}
        assert waits["waiter"].waiting_on == "Event.wait"
        assert waits["waiter"].where == f"{HERE}:{line_of('waiter waits')} in <lambda>"
        assert waits["MainThread"].waiting_on == "Thread.join(waiter)"
        assert waits["MainThread"].where == f"{HERE}:{line_of('main joins')} in joins_a_waiter"
        assert record.diagnosis.startswith("deadlock: all 2 thread(s) blocked for good")
        assert record.results is None

    @pytest.mark.timeout(30)
    def test_lock_order_deadlock_names_both_locks(self):
        runtime = ThreadsRuntime()
        sc = scenario(2, budget=20_000)
        record = runtime.run(subject(takes_locks_in_opposite_orders), sc)
        assert record.outcome == DEADLOCK
        assert record.wall_time < runtime.plan(sc).budget
        waits = {t.name: (t.waiting_on, t.where) for t in record.blocked}
        assert waits["first"] == ("Lock.acquire", f"{HERE}:{line_of('first wants b')} in first")
        assert waits["second"] == (
            "Lock.acquire",
            f"{HERE}:{line_of('second wants a')} in second",
        )
        assert waits["MainThread"][0] == "Thread.join(first)"

    @pytest.mark.timeout(30)
    def test_wait_in_c_simple_queue(self):
        record = ThreadsRuntime().run(subject(waits_on_a_simple_queue), scenario(1, budget=20_000))
        assert record.outcome == DEADLOCK
        (main,) = record.blocked
        assert main.waiting_on == "SimpleQueue.get"
        assert main.where == f"{HERE}:{line_of('simple get')} in waits_on_a_simple_queue"


class TestTimeout:
    """Not returning, but not parked for good: the budget decides."""

    @pytest.mark.timeout(30)
    def test_busy_loop(self):
        # It never ends, whatever the budget: a 1 s floor instead of 10 s shows it as well.
        record = ThreadsRuntime(min_budget=1.0).run(subject(spins), scenario(2))
        assert record.outcome == TIMEOUT
        (main,) = record.blocked
        assert main.name == "MainThread"
        assert main.waiting_on is None
        assert main.where.startswith(f"{HERE}:")
        assert main.where.endswith(" in spins")
        assert record.diagnosis.startswith("timeout: download_all had not returned")

    @pytest.mark.timeout(30)
    def test_waiting_with_a_timeout_is_never_a_deadlock(self):
        record = ThreadsRuntime(min_budget=1.0).run(subject(polls_forever), scenario(2))
        assert record.outcome == TIMEOUT
        (main,) = record.blocked
        assert main.waiting_on == "Queue.get (with timeout)"

    @pytest.mark.timeout(30)
    def test_child_holding_the_gil_is_killed_at_the_deadline(self):
        runtime = ThreadsRuntime(min_budget=0.05, margin=0.2, grace=0.0)
        record = runtime.run(subject(hogs_the_gil), scenario(1, budget=1.0))
        assert record.outcome == TIMEOUT
        assert "child process unresponsive: killed" in record.notes
        assert "held the GIL" in record.diagnosis


class TestIsolation:
    """What the subject does in its child stays there."""

    @pytest.mark.timeout(30)
    def test_prints_become_notes_not_output(self, capfd):
        record = ThreadsRuntime().run(subject(prints_like_the_article), scenario(3, fails={1}))
        out, err = capfd.readouterr()
        assert (out, err) == ("", "")
        assert record.notes == ("stdout: Could not open document: u1",)

    @pytest.mark.timeout(30)
    def test_other_threads_in_the_parent_are_noted_not_warned(self):
        stop = threading.Event()
        helper = threading.Thread(target=stop.wait, name="parent-helper")
        helper.start()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                record = ThreadsRuntime().run(subject(semaphore_pool), scenario(2))
        finally:
            stop.set()
            helper.join()
        assert record.outcome == RETURNED
        assert [w for w in caught if "fork" in str(w.message)] == []
        assert any("parent-helper" in note for note in record.notes)

    @pytest.mark.timeout(30)
    @pytest.mark.parametrize("fn", [semaphore_pool, hogs_the_gil], ids=["reported", "killed"])
    def test_child_is_always_reaped_and_no_fd_is_left_open(self, monkeypatch, fn):
        forked = []
        real_fork = os.fork

        def spy():
            pid = real_fork()
            if pid:
                forked.append(pid)
            return pid

        monkeypatch.setattr(os, "fork", spy)
        fds_before = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []
        runtime = ThreadsRuntime(min_budget=0.05, margin=0.2)
        runtime.run(subject(fn), scenario(1, budget=1.0))
        (pid,) = forked
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # already reaped: no zombie
        if fds_before:
            assert sorted(os.listdir("/proc/self/fd")) == fds_before

    @pytest.mark.timeout(30)
    def test_no_fork_is_a_clear_error(self, monkeypatch):
        monkeypatch.delattr(os, "fork")
        with pytest.raises(InterlockError, match=r"needs os\.fork\(\)"):
            ThreadsRuntime().run(subject(semaphore_pool), scenario(1))

    @pytest.mark.timeout(30)
    def test_failed_fork_is_a_clear_error(self, monkeypatch):
        def no_more_processes():
            raise BlockingIOError(11, "Resource temporarily unavailable")

        monkeypatch.setattr(os, "fork", no_more_processes)
        with pytest.raises(InterlockError, match=r"could not fork a child for subject 'spins'"):
            ThreadsRuntime().run(subject(spins), scenario(1))


class TestSettings:
    """Constructor checks and the real-time plan."""

    @pytest.mark.parametrize("bad", [0, -1.0, "fast", True])
    def test_scale_must_be_positive(self, bad):
        with pytest.raises(InterlockError, match=r"'scale' must be a number > 0 \(got "):
            ThreadsRuntime(scale=bad)

    def test_grace_must_be_non_negative(self):
        with pytest.raises(InterlockError, match=r"'grace' must be None or a number >= 0"):
            ThreadsRuntime(grace=-0.1)

    @pytest.fixture(autouse=True)
    def idle_machine(self, monkeypatch):
        monkeypatch.setattr(threads_module, "_load_factor", lambda: 1.0)

    def test_plan_scales_virtual_time(self):
        sc = Scenario("p", (TaskSpec("a", duration=100.0),), limit=1, budget=2000.0)
        plan = ThreadsRuntime(scale=0.01).plan(sc)
        assert plan.budget == pytest.approx(20.0)
        assert plan.quiet == pytest.approx(3.0)
        assert plan.grace == pytest.approx(2.0)

    def test_plan_floors_keep_tiny_scenarios_runnable(self):
        plan = ThreadsRuntime().plan(scenario(1, budget=1.0))
        assert plan.budget == 10.0  # a pool's own polling in real seconds fits
        assert plan.quiet == 0.2
        assert plan.grace == 0.2

    def test_margins_widen_with_the_load(self, monkeypatch):
        monkeypatch.setattr(threads_module, "_load_factor", lambda: 3.0)
        plan = ThreadsRuntime().plan(scenario(1, budget=1.0))
        assert (plan.budget, plan.quiet, plan.grace) == (
            30.0,
            pytest.approx(0.6),
            pytest.approx(0.6),
        )

    def test_name(self):
        assert ThreadsRuntime.name == "threads"
        assert repr(ThreadsRuntime(grace=1.0)) == "ThreadsRuntime(scale=0.001, grace=1.0)"


# --- reading a live thread, in this process ---------------------------------------------


def parked_view(target, expected: str):
    """Start ``target`` in a thread and return its view once it waits on ``expected``."""
    thread = threading.Thread(target=target, name="probe", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    seen = None
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident)
        if frame is not None:
            view = view_thread(thread.name, thread.daemon, frame)
            seen = view.state.waiting_on
            if seen == expected:
                return thread, view
        time.sleep(0.001)
    pytest.fail(f"the probe thread never waited on {expected!r}; last seen: {seen!r}")


class TestViewThread:
    """view_thread names the wait from the stack, and tells timed waits from stuck ones."""

    @pytest.mark.timeout(30)
    def test_lock_acquire_with_timeout_is_not_blocked(self):
        lock = threading.Lock()
        lock.acquire()
        expected = "Lock.acquire (with timeout)"
        thread, view = parked_view(lambda: lock.acquire(timeout=30), expected)  # timed acquire
        assert not view.blocked
        assert view.state.where == f"{HERE}:{line_of('timed acquire')} in <lambda>"
        lock.release()
        thread.join()

    @pytest.mark.timeout(30)
    def test_condition_wait_is_blocked(self):
        cond = threading.Condition()
        woken = []

        def wait():
            with cond:
                cond.wait()
                woken.append(True)

        thread, view = parked_view(wait, "Condition.wait")
        assert view.blocked
        with cond:
            cond.notify()
        thread.join()
        assert woken == [True]

    @pytest.mark.timeout(30)
    def test_event_wait_with_timeout_is_not_blocked(self):
        never = threading.Event()
        thread, view = parked_view(lambda: never.wait(30), "Event.wait (with timeout)")
        assert not view.blocked
        never.set()
        thread.join()

    @pytest.mark.timeout(30)
    def test_rlock_in_a_with_statement_is_blocked(self):
        rlock = threading.RLock()
        rlock.acquire()

        def take():
            with rlock:
                pass

        thread, view = parked_view(take, "RLock.acquire")
        assert view.blocked
        rlock.release()
        thread.join()

    @pytest.mark.timeout(30)
    def test_c_queue_get_with_positional_timeout_is_not_blocked(self):
        inbox = queue.SimpleQueue()
        thread, view = parked_view(lambda: inbox.get(True, 30), "SimpleQueue.get (with timeout)")
        assert not view.blocked
        inbox.put(None)
        thread.join()

    def test_library_files(self):
        assert is_library_file(threading.__file__)
        assert is_library_file(ThreadsRuntime.run.__code__.co_filename)
        assert not is_library_file(__file__)


class TestCallArguments:
    """A C call's own arguments say whether it can end without another thread."""

    @pytest.mark.parametrize(
        ("source", "ends_alone"),
        [
            ("lock.acquire()", False),
            ("lock.acquire(True)", False),
            ("lock.acquire(False)", True),
            ("lock.acquire(True, 5)", True),
            ("lock.acquire(True, -1)", False),
            ("lock.acquire(timeout=-1)", False),
            ("lock.acquire(blocking=False)", True),
            ("inbox.get(block=True)", False),
            ("inbox.get(True, None)", False),
            ("inbox.get(timeout=delay)", True),  # not a literal: assume it is a timeout
            ("inbox.put(item, True, 1.5)", True),
            ("worker.join()", False),
            ("worker.join(delay)", True),
        ],
    )
    def test_timeouts_and_non_blocking_modes(self, source, ends_alone):
        node = ast.parse(source, mode="eval").body
        assert _call_can_end_alone(_Parked(node.func.attr, None, node)) is ends_alone

    @pytest.mark.parametrize(
        "line",
        ["with lock:  # a comment", "elif inbox.get():", "return [inbox.get()]", "x = 1"],
    )
    def test_a_line_parses_alone(self, line):
        assert _parse_statement(line) is not None

    def test_an_unparsable_line_is_none(self):
        assert _parse_statement("else:") is None
