"""The fake downloader keeps its events flat and makes them when the trace is read."""

from __future__ import annotations

import threading

import pytest

from interlock.models import Event, FakeDownloader, Scenario, TaskSpec, Trace
from interlock.models.downloader import _EventLog


class TestEventLog:
    """Four slots an event in the log, seq its place, the same events as recorded."""

    def test_events_in_order_with_their_seq(self):
        log = _EventLog(["start", "a", "t1", 0.0, "finish", "a", "t1", 1.5])
        assert len(log) == 2
        assert log.events() == (
            Event(0, "start", "a", "t1", 0.0),
            Event(1, "finish", "a", "t1", 1.5),
        )
        assert log[-1] == Event(1, "finish", "a", "t1", 1.5)
        with pytest.raises(IndexError):
            log[2]

    def test_threads_recording_at_once_never_split_an_event(self):
        scenario = Scenario(
            "s", tuple(TaskSpec(f"{n}{i}", duration=0) for n in "pqr" for i in range(500)), 3
        )
        downloader = FakeDownloader(scenario)

        def fetch_all(name: str) -> None:
            for i in range(500):
                downloader.fetch(f"{name}{i}")

        threads = [threading.Thread(target=fetch_all, args=(n,), name=n) for n in "pqr"]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        events = downloader.trace.events
        assert len(events) == 3000
        assert all(e.url[0] == e.thread for e in events)
        assert [e.seq for e in events] == list(range(3000))


class TestDownloaderTrace:
    """The trace read from a downloader is the one its events make."""

    def test_the_trace_is_made_again_only_after_a_new_event(self):
        downloader = FakeDownloader(
            Scenario("s", (TaskSpec("a", duration=0), TaskSpec("b", duration=0)), 2)
        )
        downloader.fetch("a")
        first = downloader.trace
        assert downloader.trace is first
        downloader.fetch("b")
        again = downloader.trace
        assert again is not first and len(again) == 4
        assert again == Trace(reversed(again.events))  # in seq order, as sorting would put them
        assert [e.seq for e in again] == [0, 1, 2, 3]
