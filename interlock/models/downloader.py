"""The fake downloader: ``fetch(url)`` records a start, sleeps, records a finish."""

from __future__ import annotations

import threading
import time

from ._errors import DownloadFailed, UnknownURL
from .events import FAIL, FINISH, START, UNKNOWN, Event, Trace
from .names import ThreadNames
from .payloads import make_payload
from .tasks import Scenario

__all__ = ["FakeDownloader"]

_SLOTS = 4  # an event in a downloader's log: kind, URL, thread name, time


class _EventLog:
    """A read-only view of a downloader's log as events: an event's ``seq`` is its
    place in the log, and it is made only when read."""

    __slots__ = ("_flat",)

    def __init__(self, flat: list) -> None:
        self._flat = flat

    def __len__(self) -> int:
        return len(self._flat) // _SLOTS

    def __getitem__(self, index: int) -> Event:
        seq = range(len(self))[index]
        start = seq * _SLOTS
        return Event(seq, *self._flat[start : start + _SLOTS])

    def events(self) -> tuple[Event, ...]:
        flat = self._flat
        end = len(flat) // _SLOTS * _SLOTS  # the log only grows: slices up to here agree
        kinds, urls, threads, times = (flat[i:end:_SLOTS] for i in range(_SLOTS))
        return tuple(map(Event, range(end // _SLOTS), kinds, urls, threads, times))


class FakeDownloader:
    """Serves a scenario's URLs. Waits with ``time.sleep`` and reads ``time.monotonic``
    at call time, so the runtime decides what time is: real time scaled by ``scale``
    (real seconds per virtual second), or the controlled scheduler's virtual clock.

    The events are logged flat, four slots an event (kind, URL, thread name, time)
    in one list, and made when the trace is read: a run of 100,000 URLs logs
    200,000 of them while its subject's own objects are all alive, and an ``Event``
    costs about 130 bytes (itself, its ``seq`` and its time) where four slots cost
    32 and the time (the strings are shared by every event). A thread is named as
    ``names`` names it, told apart from any other thread under the same name.

    Logging takes no lock: one ``list.extend`` of a tuple runs no Python code, so it
    is atomic in CPython (one event's slots are never split by another's), and a
    lock here would add scheduling points the subject never asked for.
    """

    def __init__(self, scenario: Scenario, *, scale: float = 1.0) -> None:
        self.scenario = scenario
        self.scale = scale
        self._log: list = []
        self._trace: Trace | None = None  # the last trace read, while no event follows it
        self._t0 = time.monotonic()
        self._closed = False
        self.names: ThreadNames | None = None  # made at the first event, unless given
        self._holders: dict = {}

    def use_names(self, names: ThreadNames) -> None:
        """Name who downloads by ``names``: a name of its own for each thread of the run
        (threads may share a name). The controlled runtime gives its run's, which have
        every thread from its start."""
        self.names = names
        self._holders = names.holders

    def thread_names(self) -> ThreadNames:
        """The names threads go by in this downloader's events."""
        if self.names is None:
            self.use_names(ThreadNames())
        return self.names

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
        at = (time.monotonic() - self._t0) / self.scale  # self.now(), inlined
        if at % 1:
            # round(at, 6) converts through decimal digits (about 3,000 instructions); a
            # whole number of seconds, the common case, is already its own rounding.
            at = round(at, 6)
        thread = threading.current_thread()
        name = getattr(thread, "_name", None)  # what Thread.name returns, without a call
        if self._holders.get(name) != id(thread):  # first seen, renamed, or a shared name
            name = self.thread_names().of(thread)
        self._log.extend((kind, url, name, at))

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
    def _events(self) -> _EventLog:
        """The log as events, for a subclass that watches its own ``_record`` (the
        controlled runtime's observed downloader counts them and reads the last)."""
        return _EventLog(self._log)

    @property
    def trace(self) -> Trace:
        """The events so far. Made again only after a new event (a watchdog reads the
        trace's length every few milliseconds)."""
        trace = self._trace
        if trace is None or len(trace) * _SLOTS != len(self._log):
            trace = self._trace = Trace.of_ordered(self._events.events())
        return trace
