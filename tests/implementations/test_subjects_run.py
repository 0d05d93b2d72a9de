"""The seven built-in subjects, run with real threads (no interlock runtime).

Each test asserts only what real threads show deterministically. Peaks are
measured by ``GatedFetch``, which counts the subject's own calls to ``fetch``
and can hold them until a given number are in flight together: a subject that
can reach that number always opens the gate, whatever the timing, so "it
reached 5" never depends on how fast a thread starts. A subject that *cannot*
reach it would hang there; the gate gives up after ``SAFETY`` seconds so that
such a test fails on its assertion instead of hanging.

The cases that hang for ever (empty_check_pool with a failure, or losing its
empty()/get() race) are left to the runtimes; here their defects are shown by
calling ``Worker.run`` directly on a queue that is arranged for it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import queue
import sys
import threading
from pathlib import Path

import pytest

from interlock.models import DownloadFailed, FakeDownloader, Scenario, TaskSpec, identify_payload
from interlock.subjects import builtin_subjects

SAFETY = 5.0  # seconds a gate waits before giving up (only ever reached by a failing test)
SCALE = 0.001  # one virtual second is one real millisecond

MODULES = (
    "article_queue",
    "article_queue_minus_two",
    "article_semaphore",
    "end_marker_pool",
    "end_marker_pool_as_posted",
    "empty_check_pool",
    "executor_map",
)
INVARIANTS = {
    "max_in_flight",
    "no_lost_results",
    "no_duplicates",
    "errors_reported",
    "no_deadlock",
    "clean_shutdown",
    "terminates",
    "no_crash",
    "ordered",
    "fail_fast",
    "work_conserving",
}


def subject(name: str):
    return importlib.import_module(f"interlock.implementations.{name}")


def scenario(n: int, limit: int, *, duration: float = 2.0, fails=()) -> Scenario:
    tasks = tuple(TaskSpec(f"u{i}", duration, i in fails) for i in range(n))
    return Scenario(f"{n} urls", tasks, limit)


class GatedFetch:
    """Wraps ``fetch``: counts calls in flight and holds each one until
    ``hold_until`` calls are in flight together (0: never holds).

    ``hold_url`` names one URL whose call is held instead until every other
    URL's call has returned: a download that can only end once the others are
    done. ``held_ok`` says whether that happened (False if the gate gave up).
    """

    def __init__(self, fetch, *, hold_until: int = 0, hold_url: str | None = None, total: int = 0):
        self._fetch = fetch
        self._cond = threading.Condition()
        self._hold_until = hold_until
        self._opened = hold_until == 0
        self._hold_url = hold_url
        self._others_left = total - 1
        self.in_flight = 0
        self.peak = 0
        self.calls: list[str] = []
        self.held_ok: bool | None = None

    def __call__(self, url: str) -> bytes:
        with self._cond:
            self.calls.append(url)
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            if self.in_flight >= self._hold_until:
                self._opened = True
                self._cond.notify_all()
            self._cond.wait_for(lambda: self._opened, timeout=SAFETY)
            if url == self._hold_url:
                self.held_ok = self._cond.wait_for(lambda: self._others_left == 0, timeout=SAFETY)
        try:
            return self._fetch(url)
        finally:
            with self._cond:
                self.in_flight -= 1
                if url != self._hold_url:
                    self._others_left -= 1
                    self._cond.notify_all()


def run(name: str, sc: Scenario, **gate):
    """Run a subject to completion; return (items, gate, downloader) and check no thread is left."""
    downloader = FakeDownloader(sc, scale=SCALE)
    fetch = GatedFetch(downloader.fetch, total=len(sc.tasks), **gate)
    before = set(threading.enumerate())
    items = list(subject(name).download_all(sc.urls, fetch, sc.limit))
    # Every subject run here must leave no thread behind; joining with a bound
    # turns a thread blocked for ever into a failure rather than a hang.
    for thread in set(threading.enumerate()) - before:
        thread.join(SAFETY)
        assert not thread.is_alive(), f"{name} left {thread.name} running"
    return items, fetch, downloader


def urls_of(items) -> list[str | None]:
    """What each item is: the URL its payload or exception names, else None."""
    found = []
    for item in items:
        if isinstance(item, BaseException):
            found.append(getattr(item, "url", None))
        else:
            who = identify_payload(item)
            found.append(who[1] if who else None)
    return found


class TestMetadata:
    """Every subject declares its name, origin and known breaks, and imports only the stdlib."""

    @pytest.mark.timeout(10)
    def test_catalogue_has_all_seven(self):
        assert set(MODULES) <= set(builtin_subjects())

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("name", MODULES)
    def test_declarations(self, name):
        module = subject(name)
        assert module.NAME == name
        assert module.ORIGIN.strip()
        assert set(module.BREAKS) <= INVARIANTS
        assert all(why.strip().endswith(".") for why in module.BREAKS.values())
        assert set(getattr(module, "RARE_WITH_THREADS", ())) <= set(module.BREAKS)
        assert "download_all" in module.__all__

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("name", MODULES)
    def test_imports_only_the_standard_library(self, name):
        tree = ast.parse(Path(inspect.getfile(subject(name))).read_text())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{name} uses a relative import"
                imported.add(node.module.split(".")[0])
        assert imported <= set(sys.stdlib_module_names)


class TestArticleQueue:
    """The article's code: limit + 1 in flight, None for failures, results in URL order."""

    @pytest.mark.timeout(10)
    def test_five_in_flight_at_limit_four(self):
        items, fetch, downloader = run("article_queue", scenario(5, 4), hold_until=5)
        assert fetch.peak == 5
        assert urls_of(items) == ["u0", "u1", "u2", "u3", "u4"]
        started = sorted(e.url for e in downloader.trace.starts())
        assert started == sorted(fetch.calls) == ["u0", "u1", "u2", "u3", "u4"]

    @pytest.mark.timeout(10)
    def test_limit_one_is_an_unbounded_queue(self):
        _, fetch, _ = run("article_queue", scenario(4, 1), hold_until=4)
        assert fetch.peak == 4

    @pytest.mark.timeout(10)
    def test_failures_become_none_and_are_printed(self, capsys):
        items, _, _ = run("article_queue", scenario(4, 2, fails={1, 3}))
        assert urls_of(items[0::2]) == ["u0", "u2"]
        assert items[1::2] == [None, None]
        printed = sorted(capsys.readouterr().out.splitlines())
        assert printed == ["Could not open document: u1", "Could not open document: u3"]

    @pytest.mark.timeout(10)
    def test_no_urls(self):
        items, fetch, _ = run("article_queue", scenario(0, 3))
        assert items == []
        assert fetch.calls == []


class TestArticleQueueMinusTwo:
    """Queue(limit - 2): right from limit 3 up, unbounded at limit 1 and 2."""

    @pytest.mark.timeout(10)
    def test_limit_two_starts_everything_at_once(self):
        items, fetch, _ = run("article_queue_minus_two", scenario(5, 2), hold_until=5)
        assert fetch.peak == 5
        assert urls_of(items) == ["u0", "u1", "u2", "u3", "u4"]

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("limit", [3, 4])
    def test_exactly_limit_from_three_up(self, limit):
        # Queue(k) allows k + 2 threads started and not yet joined, so
        # limit - 2 allows exactly limit; the gate proves the limit is reached.
        items, fetch, downloader = run(
            "article_queue_minus_two", scenario(8, limit), hold_until=limit
        )
        assert fetch.peak == limit
        assert downloader.trace.max_in_flight().count <= limit
        assert len(items) == 8

    @pytest.mark.timeout(10)
    def test_failures_become_none(self, capsys):
        items, _, _ = run("article_queue_minus_two", scenario(3, 3, fails={0}))
        assert items[0] is None
        assert urls_of(items[1:]) == ["u1", "u2"]
        assert capsys.readouterr().out == "Could not open document: u0\n"


class TestArticleSemaphore:
    """The repair: never more than limit, exceptions for failures, no head-of-line wait."""

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("limit", [1, 2, 4])
    def test_reaches_but_never_exceeds_limit(self, limit):
        items, fetch, downloader = run("article_semaphore", scenario(7, limit), hold_until=limit)
        assert fetch.peak == limit
        assert downloader.trace.max_in_flight().count <= limit
        assert urls_of(items) == [f"u{i}" for i in range(7)]

    @pytest.mark.timeout(10)
    def test_failures_are_returned_as_exceptions(self):
        items, _, _ = run("article_semaphore", scenario(4, 2, fails={1, 3}))
        assert [type(item) for item in items[1::2]] == [DownloadFailed, DownloadFailed]
        assert urls_of(items) == ["u0", "u1", "u2", "u3"]

    @pytest.mark.timeout(10)
    def test_a_slow_first_download_does_not_hold_back_the_rest(self):
        # u0 can only finish once every other URL has finished: only a subject
        # that frees a slot when a download ends (not when it is joined) can do that.
        items, fetch, _ = run("article_semaphore", scenario(6, 2), hold_url="u0")
        assert fetch.held_ok is True
        assert urls_of(items) == [f"u{i}" for i in range(6)]

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("n", [0, 1])
    def test_fewer_urls_than_limit(self, n):
        items, _, _ = run("article_semaphore", scenario(n, 3))
        assert urls_of(items) == [f"u{i}" for i in range(n)]


class TestEndMarkerPoolAsPosted:
    """As posted in comments 17/18: start() raises before anything is downloaded."""

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("n", [0, 3])
    def test_start_raises(self, n):
        sc = scenario(n, 2)
        downloader = FakeDownloader(sc, scale=SCALE)
        returned = subject("end_marker_pool_as_posted").download_all(
            sc.urls, downloader.fetch, sc.limit
        )
        assert inspect.isgenerator(returned)  # nothing happens until it is iterated
        with pytest.raises(RuntimeError, match=r"thread\.__init__\(\) not called"):
            list(returned)
        assert len(downloader.trace) == 0


class TestEndMarkerPool:
    """The pool with its three slips fixed: every result, within limit, threads all end."""

    @pytest.mark.timeout(10)
    def test_reaches_but_never_exceeds_limit_and_reports_failures(self):
        items, fetch, downloader = run(
            "end_marker_pool", scenario(8, 3, fails={2, 5}), hold_until=3
        )
        assert fetch.peak == 3
        assert downloader.trace.max_in_flight().count <= 3
        assert sorted(urls_of(items)) == sorted(f"u{i}" for i in range(8))
        failed = sorted(item.url for item in items if isinstance(item, BaseException))
        assert failed == ["u2", "u5"]
        assert all(type(item) in (bytes, DownloadFailed) for item in items)

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("n", [0, 1, 2])
    def test_more_workers_than_urls(self, n):
        items, fetch, _ = run("end_marker_pool", scenario(n, 5))
        assert sorted(urls_of(items)) == [f"u{i}" for i in range(n)]
        assert sorted(fetch.calls) == [f"u{i}" for i in range(n)]  # None is never fetched

    @pytest.mark.timeout(10)
    def test_a_slow_first_download_does_not_hold_back_the_rest(self):
        items, fetch, _ = run("end_marker_pool", scenario(6, 2), hold_url="u0")
        assert fetch.held_ok is True
        assert urls_of(items)[-1] == "u0"  # completion order: the held one comes last


class TestEmptyCheckPool:
    """Joel's pool: fine with one worker and no failure; its defects shown on Worker.run."""

    @pytest.mark.timeout(10)
    def test_one_worker_no_failures(self):
        items, fetch, downloader = run("empty_check_pool", scenario(4, 1))
        assert urls_of(items) == ["u0", "u1", "u2", "u3"]
        assert fetch.peak == 1
        assert downloader.trace.max_in_flight().count == 1

    @pytest.mark.timeout(10)
    def test_a_failure_skips_task_done(self):
        # Run on the caller's thread: the exception that would kill the worker
        # comes out here, and the item is left unfinished, so in_queue.join()
        # in process() could never return.
        module = subject("empty_check_pool")
        sc = scenario(1, 1, fails={0})
        in_queue, out_queue = queue.Queue(), queue.Queue()
        in_queue.put(("u0",))
        worker = module.Worker(FakeDownloader(sc, scale=SCALE).fetch, in_queue, out_queue)
        with pytest.raises(DownloadFailed, match="u0"):
            worker.run()
        assert in_queue.unfinished_tasks == 1
        assert out_queue.empty()

    @pytest.mark.timeout(10)
    def test_losing_the_empty_get_race_calls_get_on_an_empty_queue(self):
        # A rival worker takes the last item between this worker's empty() and
        # its get(); a real get() would then block for ever, so this queue
        # raises instead of blocking.
        class WouldBlockForever(Exception):
            pass

        class RacedQueue(queue.Queue):
            def empty(self):
                answer = super().empty()
                if not answer and self.qsize() == 1:
                    super().get_nowait()  # the rival wins the last item
                    self.task_done()
                return answer

            def get(self, block=True, timeout=None):
                if block and timeout is None and self.qsize() == 0:
                    raise WouldBlockForever
                return super().get(block, timeout)

        module = subject("empty_check_pool")
        in_queue = RacedQueue()
        in_queue.put(("u0",))
        worker = module.Worker(lambda url: b"never called", in_queue, queue.Queue())
        with pytest.raises(WouldBlockForever):
            worker.run()


class TestExecutorMap:
    """The reference: everything in URL order, exceptions in place, within limit."""

    @pytest.mark.timeout(10)
    @pytest.mark.parametrize("limit", [1, 3])
    def test_everything_in_order(self, limit):
        items, fetch, downloader = run(
            "executor_map", scenario(7, limit, fails={0, 4}), hold_until=limit
        )
        assert fetch.peak == limit
        assert downloader.trace.max_in_flight().count <= limit
        assert urls_of(items) == [f"u{i}" for i in range(7)]
        assert [type(item) for item in items] == [
            DownloadFailed,
            bytes,
            bytes,
            bytes,
            DownloadFailed,
            bytes,
            bytes,
        ]

    @pytest.mark.timeout(10)
    def test_a_slow_first_download_does_not_hold_back_the_rest(self):
        items, fetch, _ = run("executor_map", scenario(6, 2), hold_url="u0")
        assert fetch.held_ok is True
        assert urls_of(items) == [f"u{i}" for i in range(6)]

    @pytest.mark.timeout(10)
    def test_no_urls(self):
        items, fetch, _ = run("executor_map", scenario(0, 2))
        assert items == []
        assert fetch.calls == []
