"""The bench's floor scheduler runs the article's code and leaves the interpreter as it was."""

from __future__ import annotations

import threading
import time

import pytest

from interlock.bench._floor import FloorUnsupported, run_on_floor
from interlock.models import FakeDownloader
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects


def _names():
    return (
        threading.Lock,
        threading._allocate_lock,
        threading.get_ident,
        getattr(threading, "_start_new_thread", None),
        getattr(threading, "_start_joinable_thread", None),
        time.sleep,
        time.monotonic,
    )


@pytest.mark.parametrize("name", ["article_queue", "article_semaphore", "end_marker_pool"])
def test_runs_a_subject_on_virtual_time(name):
    tiny = load_scenario("tiny")
    subject = builtin_subjects()[name]
    before = _names()
    active = dict(threading._active)
    started = time.monotonic()

    def run():  # the downloader made inside, on the floor's clock
        downloader = FakeDownloader(tiny)
        return downloader, list(subject.download_all(list(tiny.urls), downloader.fetch, tiny.limit))

    downloader, results = run_on_floor(run)
    assert len(results) == len(tiny.urls)
    events = downloader.trace.events
    assert len(events) == 2 * len(tiny.urls)  # a start and a finish each, no failures in tiny
    # Virtual seconds, not real ones: each download takes exactly its duration.
    started_at = {e.url: e.time for e in events if e.kind == "start"}
    for e in events:
        if e.kind == "finish":
            assert e.time - started_at[e.url] == pytest.approx(tiny.task(e.url).duration)
    assert min(started_at.values()) == 0
    assert time.monotonic() - started < 5
    assert _names() == before
    assert dict(threading._active) == active
    assert {e.thread for e in events}.isdisjoint({"MainThread"})


def test_returns_what_the_function_returned_and_raises_what_it_raised():
    assert run_on_floor(lambda a, b: a + b, 2, 3) == 5

    def boom():
        raise KeyError("k")

    with pytest.raises(KeyError):
        run_on_floor(boom)
    assert time.sleep is not None and threading.Lock()  # restored: a real lock again
    assert type(threading.Lock()).__module__ == "_thread"


def test_a_timed_wait_is_refused():
    def timed():
        lock = threading.Lock()
        lock.acquire()
        return lock.acquire(timeout=1)

    with pytest.raises(FloorUnsupported, match="no timed waits"):
        run_on_floor(timed)


def test_a_thread_left_blocked_is_reported_not_waited_for():
    def leaves_one():
        lock = threading.Lock()
        lock.acquire()
        threading.Thread(target=lock.acquire, daemon=True).start()
        return "returned"

    with pytest.raises(FloorUnsupported, match="1 thread"):
        run_on_floor(leaves_one)
    assert type(threading.Lock()).__module__ == "_thread"
