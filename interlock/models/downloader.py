"""The fake downloader: ``fetch(url)`` records a start, sleeps, records a finish."""

from __future__ import annotations

import itertools
import threading
import time

from ._errors import DownloadFailed, UnknownURL
from .events import FAIL, FINISH, START, UNKNOWN, Event, Trace
from .payloads import make_payload
from .tasks import Scenario

__all__ = ["FakeDownloader"]


class FakeDownloader:
    """Serves a scenario's URLs. Waits with ``time.sleep`` and reads ``time.monotonic``
    at call time, so the runtime decides what time is: real time scaled by ``scale``
    (real seconds per virtual second), or the controlled scheduler's virtual clock.

    Recording takes no lock: ``list.append`` and ``next(count)`` are atomic in
    CPython, and a lock here would add scheduling points the subject never asked for.
    """

    def __init__(self, scenario: Scenario, *, scale: float = 1.0) -> None:
        self.scenario = scenario
        self.scale = scale
        self._events: list[Event] = []
        self._seq = itertools.count()
        self._t0 = time.monotonic()
        self._closed = False

    def close(self) -> None:
        """Record nothing more: called when a runtime stops the run, so that what its
        threads still do while they are unwound (a pool that catches everything goes on
        fetching) never reaches a checker."""
        self._closed = True

    def now(self) -> float:
        """Virtual seconds since this downloader was made."""
        return (time.monotonic() - self._t0) / self.scale

    def _record(self, kind: str, url: str) -> None:
        if self._closed:
            return
        name = threading.current_thread().name
        self._events.append(Event(next(self._seq), kind, url, name, round(self.now(), 6)))

    def fetch(self, url: str) -> bytes:
        task = self.scenario.task(url) if isinstance(url, str) else None
        if task is None:
            self._record(UNKNOWN, str(url))
            raise UnknownURL(url)
        self._record(START, url)
        if task.duration > 0:
            time.sleep(task.duration * self.scale)
        if task.fails:
            self._record(FAIL, url)
            raise DownloadFailed(url)
        self._record(FINISH, url)
        return make_payload(self.scenario.seed, url, task.size)

    __call__ = fetch

    @property
    def trace(self) -> Trace:
        return Trace(list(self._events))
