"""Reading a live thread's stack (``interlock.runtime._threads_inspect``), in this process.

Each test parks a real daemon thread in one kind of wait, reads it with
``view_thread`` the way the threads runtime's watchdog does, then releases it.
``tests/test_runtime_threads.py`` covers the common waits (timed lock, condition,
event, RLock in a ``with``, positional timeout); these are the rarer shapes of
call and stack.
"""

from __future__ import annotations

import _thread
import concurrent.futures
import dis
import os
import queue
import selectors
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from interlock.models import FakeDownloader, Scenario, TaskSpec
from interlock.models import downloader as downloader_module
from interlock.runtime._threads_inspect import is_library_file, view_thread

pytestmark = pytest.mark.timeout(30)

HERE = Path(__file__).name
_PATIENCE = 10.0  # real seconds a probe thread gets to reach its wait


def line_of(marker: str) -> int:
    """The line of this file that carries ``# <marker>``, so tests need no line numbers."""
    lines = Path(__file__).read_text().splitlines()
    hits = [n for n, text in enumerate(lines, 1) if text.rstrip().endswith(f"# {marker}")]
    assert len(hits) == 1, f"marker {marker!r} found {len(hits)} times"
    return hits[0]


class Probes:
    """The probe threads of one test. Whatever the test does, teardown runs every
    release, joins every probe, then runs every cleanup."""

    def __init__(self) -> None:
        self.threads: list[threading.Thread] = []
        self.releases: list = []
        self.cleanups: list = []

    def start(self, target, release, name: str = "probe") -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self.releases.append(release)
        thread.start()
        self.threads.append(thread)
        return thread

    def finish(self) -> list[str]:
        """Release and join every probe; the names of any still alive."""
        while self.releases:
            self.releases.pop()()
        for thread in self.threads:
            thread.join(_PATIENCE)
        while self.cleanups:
            self.cleanups.pop()()
        return [t.name for t in self.threads if t.is_alive()]


@pytest.fixture
def probes():
    probes = Probes()
    yield probes
    assert probes.finish() == []


def _on_a_call(frame) -> bool:
    """The frame's current instruction is a call, or the entry of a ``with``. (On 3.11 a
    warm call may be made by its specialised PRECALL, where the frame then stops.)"""
    op = next(
        (i.opname for i in dis.get_instructions(frame.f_code) if i.offset == frame.f_lasti), ""
    )
    return op.startswith(("CALL", "PRECALL")) or op in ("BEFORE_WITH", "SETUP_WITH")


def view_when_parked(thread: threading.Thread, filename: str, *lines: int):
    """The thread's view once its innermost frame is stopped inside the call on
    ``filename`` at one of ``lines``: it stays there until the test releases it.
    (Where a multi-line statement stops differs between versions.)"""
    deadline = time.monotonic() + _PATIENCE
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident)
        if (
            frame is not None
            and os.path.basename(frame.f_code.co_filename) == filename
            and frame.f_lineno in lines
            and _on_a_call(frame)
        ):
            return view_thread(thread.name, thread.daemon, frame)
        time.sleep(0.001)
    pytest.fail(f"the probe thread never parked on {filename} at line {lines}")


def view_when_labelled(thread: threading.Thread, expected: str):
    """The thread's first view whose wait reads ``expected``."""
    deadline = time.monotonic() + _PATIENCE
    seen = None
    while time.monotonic() < deadline:
        frame = sys._current_frames().get(thread.ident)
        if frame is not None:
            view = view_thread(thread.name, thread.daemon, frame)
            seen = view.state.waiting_on
            if seen == expected:
                return view
        time.sleep(0.001)
    pytest.fail(f"the probe thread never waited on {expected!r}; last seen: {seen!r}")


class _Holder:
    def __init__(self) -> None:
        self.inbox = queue.SimpleQueue()
        self.reads = 0

    @property
    def counted(self) -> queue.SimpleQueue:
        self.reads += 1
        return self.inbox

    def __getattr__(self, name: str):
        if name == "dynamic":
            self.reads += 1
            return self
        raise AttributeError(name)


class TestNamingACCall:
    """A C call leaves no frame: the call's source names it, the frame's variables its object."""

    def test_an_attribute_chain_is_resolved_to_the_c_type(self, probes):
        holder = _Holder()

        def wait():
            holder.inbox.get()  # chain

        thread = probes.start(wait, release=lambda: holder.inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("chain"))
        assert view.state.waiting_on == "SimpleQueue.get"
        assert view.blocked
        assert view.state.where == f"{HERE}:{line_of('chain')} in wait"

    def test_a_property_is_never_run_to_name_the_receiver(self, probes):
        holder = _Holder()

        def wait():
            holder.counted.get()  # property

        thread = probes.start(wait, release=lambda: holder.inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("property"))
        assert view.state.waiting_on == "get()"  # the receiver stays unnamed
        assert view.blocked
        assert holder.reads == 1  # the subject's own read; reading the stack added none

    def test_getattr_is_never_run_to_name_the_receiver(self, probes):
        holder = _Holder()

        def wait():
            holder.dynamic.inbox.get()  # getattr

        thread = probes.start(wait, release=lambda: holder.inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("getattr"))
        assert view.state.waiting_on == "get()"
        assert view.blocked
        assert holder.reads == 1

    def test_a_with_statement_spread_over_lines(self, probes):
        lock = threading.Lock()
        lock.acquire()

        def wait():
            with (  # multi-line with
                lock  # with target
            ):
                pass

        thread = probes.start(wait, release=lock.release)
        view = view_when_parked(thread, HERE, line_of("multi-line with"), line_of("with target"))
        assert view.state.waiting_on == "lock acquire (with)"
        assert view.blocked

    def test_reading_a_pipe_is_not_a_wait_on_a_thread(self, probes):
        read_fd, write_fd = os.pipe()
        probes.cleanups += [lambda: os.close(read_fd), lambda: os.close(write_fd)]

        def wait():
            os.read(read_fd, 1)  # read

        thread = probes.start(wait, release=lambda: os.write(write_fd, b"x"))
        view = view_when_parked(thread, HERE, line_of("read"))
        assert view.state.waiting_on is None
        assert not view.blocked  # the outside world may end it

    def test_a_receiver_that_is_a_call_result_stays_unnamed(self, probes):
        inbox = queue.SimpleQueue()

        def wait():
            (lambda: inbox)().get()  # call result

        thread = probes.start(wait, release=lambda: inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("call result"))
        assert view.state.waiting_on == "get()"
        assert view.blocked

    def test_a_bare_function_name(self, probes):
        lock = threading.Lock()
        lock.acquire()
        acquire = lock.acquire  # a bound method under the name a reader knows

        def wait():
            acquire()  # bare name
            lock.release()

        thread = probes.start(wait, release=lock.release)
        view = view_when_parked(thread, HERE, line_of("bare name"))
        assert view.state.waiting_on == "acquire()"
        assert view.blocked

    def test_a_call_through_a_subscript_is_not_guessed(self, probes):
        inbox = queue.SimpleQueue()
        calls = [inbox.get]

        def wait():
            calls[0]()  # subscript

        thread = probes.start(wait, release=lambda: inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("subscript"))
        assert view.state.waiting_on is None
        assert not view.blocked  # unknown: better a missed deadlock than a false one

    @pytest.mark.skipif(
        sys.version_info < (3, 11),
        reason="3.10 frames have no columns: a multi-line call is unread",
    )
    def test_a_call_spread_over_several_lines(self, probes):
        inbox = queue.SimpleQueue()

        def wait_forever():
            inbox.get(  # multi-line forever
                True,
                None,
            )

        def wait_a_while():
            inbox.get(  # multi-line timed
                True,
                30,
            )

        forever = probes.start(wait_forever, release=lambda: inbox.put(None))
        timed = probes.start(wait_a_while, release=lambda: inbox.put(None))
        view = view_when_parked(forever, HERE, line_of("multi-line forever"))
        assert (view.state.waiting_on, view.blocked) == ("SimpleQueue.get", True)
        view = view_when_parked(timed, HERE, line_of("multi-line timed"))
        assert (view.state.waiting_on, view.blocked) == ("SimpleQueue.get (with timeout)", False)

    def test_code_without_source_is_not_called_blocked(self, probes):
        namespace: dict = {}
        source = "def wait(inbox):\n    inbox.get()\n"
        exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - no file behind it
        inbox = queue.SimpleQueue()
        thread = probes.start(lambda: namespace["wait"](inbox), release=lambda: inbox.put(None))
        view = view_when_parked(thread, "<generated>", 2)
        assert view.state.waiting_on is None
        assert not view.blocked
        assert view.state.where == "<generated>:2 in wait"


class TestNamingAWait:
    """What a thread waits on, from the library frames it is inside."""

    def test_join_names_the_thread_joined(self, probes):
        never = threading.Event()
        sleeper = probes.start(never.wait, release=never.set, name="sleeper")
        joiner = probes.start(sleeper.join, release=never.set, name="joiner")
        view = view_when_labelled(joiner, "Thread.join(sleeper)")
        assert view.blocked

    def test_a_stdlib_function_is_named_by_its_name(self, probes):
        pending = concurrent.futures.Future()

        def release():
            pending.set_result(None)

        thread = probes.start(lambda: concurrent.futures.wait([pending]), release=release)
        view = view_when_labelled(thread, "wait()")
        assert view.blocked

    def test_a_raw_thread_on_a_stdlib_method_has_no_subject_frame(self):
        inbox = queue.Queue()
        ident = _thread.start_new_thread(inbox.get, ())
        deadline = time.monotonic() + _PATIENCE
        view = None
        try:
            while time.monotonic() < deadline:
                frame = sys._current_frames().get(ident)
                if frame is not None:
                    view = view_thread("raw", True, frame)
                    if view.state.waiting_on == "Queue.get":
                        break
                time.sleep(0.001)
            else:
                pytest.fail(f"the raw thread never waited in Queue.get; last view: {view!r}")
            assert view.blocked
            assert view.state.where is None
        finally:
            inbox.put(None)
            while ident in sys._current_frames() and time.monotonic() < deadline:
                time.sleep(0.001)
        assert ident not in sys._current_frames()

    def test_inside_fetch_is_downloading_never_blocked(self, probes, monkeypatch):
        # The fake download's sleep waits on a gate, so the thread stays inside fetch()
        # (on a Condition, which alone would read as blocked) until the test lets it go.
        gate = threading.Event()
        fake_time = types.SimpleNamespace(
            sleep=lambda seconds: gate.wait(), monotonic=time.monotonic
        )
        monkeypatch.setattr(downloader_module, "time", fake_time)
        fetcher = FakeDownloader(Scenario("one", (TaskSpec("u0", duration=1.0),), limit=1))
        thread = probes.start(lambda: fetcher.fetch("u0"), release=gate.set)
        view = view_when_labelled(thread, "downloading u0")
        assert not view.blocked
        assert probes.finish() == []
        assert [(e.kind, e.url) for e in fetcher.trace] == [("start", "u0"), ("finish", "u0")]

    def test_sleep_is_never_blocked(self, probes):
        stop = threading.Event()

        def nap():
            while not stop.is_set():
                time.sleep(0.05)  # nap

        thread = probes.start(nap, release=stop.set)
        view = view_when_labelled(thread, "sleep")
        assert not view.blocked
        assert view.state.where == f"{HERE}:{line_of('nap')} in nap"

    def test_inside_the_stdlib_on_no_known_wait(self, probes):
        # selectors' own frame is parked on poll(): not a wait that names a partner.
        read_fd, write_fd = os.pipe()
        selector = selectors.DefaultSelector()
        selector.register(read_fd, selectors.EVENT_READ)
        probes.cleanups += [lambda: os.close(read_fd), lambda: os.close(write_fd), selector.close]

        def wait():
            selector.select()  # select

        thread = probes.start(wait, release=lambda: os.write(write_fd, b"x"))
        deadline = time.monotonic() + _PATIENCE
        while time.monotonic() < deadline:
            frame = sys._current_frames().get(thread.ident)
            if frame is not None and frame.f_code.co_filename == selectors.__file__:
                if _on_a_call(frame):
                    break
            time.sleep(0.001)
        else:
            pytest.fail("the probe thread never parked inside selectors")
        view = view_thread(thread.name, thread.daemon, frame)
        assert view.state.waiting_on is None
        assert not view.blocked
        assert view.state.where == f"{HERE}:{line_of('select')} in wait"


class TestStack:
    """The stack shown is the subject's end of it: no bootstrap frames, at most 30 lines."""

    def test_a_shallow_stack_starts_at_the_thread_target(self, probes):
        inbox = queue.SimpleQueue()

        def wait():
            inbox.get()  # shallow

        thread = probes.start(wait, release=lambda: inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("shallow"))
        assert view.state.stack == (f"{HERE}:{line_of('shallow')} in wait: inbox.get()  # shallow",)

    def test_a_deep_stack_keeps_the_innermost_thirty_frames(self, probes):
        inbox = queue.SimpleQueue()

        def dive(depth: int) -> None:
            if depth:
                dive(depth - 1)
            else:
                inbox.get()  # deep

        thread = probes.start(lambda: dive(50), release=lambda: inbox.put(None))
        view = view_when_parked(thread, HERE, line_of("deep"))
        stack = view.state.stack
        assert len(stack) == 30
        assert stack[-1] == f"{HERE}:{line_of('deep')} in dive: inbox.get()  # deep"
        assert all(" in dive: " in line for line in stack)
        assert view.blocked

    def test_frozen_modules_are_library_code(self):
        assert is_library_file("<frozen importlib._bootstrap>")
        assert is_library_file(selectors.__file__)


class TestWokenButNotYetRunning:
    """A thread whose lock was released waits for the OS, not for another thread: on a
    loaded machine it may sit in its wait for long, and must not read as blocked."""

    @pytest.mark.timeout(30)
    def test_a_notified_waiter_is_not_blocked(self):
        import sys
        import threading as real_threading

        cond = real_threading.Condition()
        parked = real_threading.Event()

        def waiter():
            with cond:
                parked.set()
                cond.wait()

        t = real_threading.Thread(target=waiter)
        t.start()
        parked.wait(10)
        with cond:  # it is inside wait() now, its waiter lock held
            frame = sys._current_frames()[t.ident]
            assert view_thread("w", False, frame).blocked
            old = sys.getswitchinterval()
            sys.setswitchinterval(10.0)  # the waiter cannot run before we look again
            try:
                cond.notify()
                assert not view_thread("w", False, frame).blocked
            finally:
                sys.setswitchinterval(old)
        t.join(10)
