"""Download events and the trace they form, with the views checkers need.

A run records an event per download step, a trace holds up to thousands, and
every checker walks them: making, holding and reading events are all on the hot
path. ``Event`` is a frozen dataclass with slots (small, quick to read) and its
own ``__init__``: the generated one writes each field with an
``object.__setattr__`` call (the class is frozen), this one through the field's
slot setter, which costs about half as much. ``Interval`` and ``InFlightPeak``
are small answers read a few times, so they are NamedTuples: as cheap to build as
a tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

__all__ = ["Event", "Interval", "Trace"]

START, FINISH, FAIL, UNKNOWN = "start", "finish", "fail", "unknown"
KINDS = (START, FINISH, FAIL, UNKNOWN)

_BY_SEQ = attrgetter("seq")


@dataclass(frozen=True, slots=True, init=False)
class Event:
    """One thing a fake download did. ``seq`` orders events; ``time`` is virtual seconds."""

    seq: int
    kind: str
    url: str
    thread: str
    time: float

    def __init__(self, seq: int, kind: str, url: str, thread: str, time: float) -> None:
        _set_seq(self, seq)
        _set_kind(self, kind)
        _set_url(self, url)
        _set_thread(self, thread)
        _set_time(self, time)

    def __reduce__(self):
        # Pickled as the call that makes it: records cross a fork with hundreds of
        # events, and this is smaller and quicker to load than the slots' state.
        return Event, (self.seq, self.kind, self.url, self.thread, self.time)

    def render(self) -> str:
        return f"{self.time:9.3f}s  {self.kind:<7} {self.url:<10} {self.thread}"


# What ``Event.__init__`` writes with: the setter of each field's slot.
_set_seq, _set_kind, _set_url, _set_thread, _set_time = (
    Event.__dict__[name].__set__ for name in ("seq", "kind", "url", "thread", "time")
)


class Interval(NamedTuple):
    """A download from its start to its end (``end`` is None if it never ended)."""

    url: str
    thread: str
    start: float
    end: float | None
    start_seq: int
    end_seq: int | None
    ok: bool | None


class InFlightPeak(NamedTuple):
    """The most downloads in flight at once (``count``), first reached at ``seq``."""

    count: int
    time: float
    seq: int
    urls: tuple[str, ...]


class Trace:
    """The ordered events of one run. Order is ``seq`` order, which is the truth
    about overlap: two events at the same virtual time happened in ``seq`` order."""

    __slots__ = ("_in_flight", "events")

    def __init__(self, events=()) -> None:
        self.events: tuple[Event, ...] = tuple(sorted(events, key=_BY_SEQ))
        self._in_flight: tuple[int, ...] | None = None  # see ``in_flight_counts``

    @classmethod
    def of_ordered(cls, events: tuple[Event, ...]) -> Trace:
        """The trace of ``events`` already in ``seq`` order (a downloader's, as
        recorded), without sorting them again."""
        trace = cls.__new__(cls)
        trace.events = events
        trace._in_flight = None
        return trace

    def __reduce__(self):
        # The events alone: kept counts are cheaper to count again than to pickle.
        return Trace, (self.events,)

    def __iter__(self):
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Trace) and self.events == other.events

    def __hash__(self) -> int:
        return hash(self.events)

    def __repr__(self) -> str:
        return f"Trace({len(self.events)} events)"

    def render(self) -> str:
        """The trace as text, one event a line: the form compared byte for byte."""
        return "\n".join(e.render() for e in self.events)

    def intervals(self) -> list[Interval]:
        """One interval per start event, paired with the next end of that URL."""
        open_: dict[str, list[Event]] = {}
        done: list[Interval] = []
        for e in self.events:
            kind = e.kind
            if kind == START:
                open_.setdefault(e.url, []).append(e)
            elif (kind == FINISH or kind == FAIL) and open_.get(e.url):
                s = open_[e.url].pop(0)
                done.append(Interval(e.url, s.thread, s.time, e.time, s.seq, e.seq, kind == FINISH))
        for starts in open_.values():
            for s in starts:
                done.append(Interval(s.url, s.thread, s.time, None, s.seq, None, None))
        done.sort(key=attrgetter("start_seq"))
        return done

    def in_flight_counts(self) -> tuple[int, ...]:
        """How many downloads are in flight just after each event, one count per event:
        the one in-flight series, read by the checkers and the timelines alike.

        An end counts only if it closes a download of its URL, so a stray finish
        cannot lower the count below what is really running. Several readers share
        these counts, so they are counted once and kept: the events never change."""
        counts = self._in_flight
        if counts is None:
            counts = self._in_flight = self._count_in_flight()
        return counts

    def _count_in_flight(self) -> tuple[int, ...]:
        running: dict[str, int] = {}  # URL -> downloads of it in flight
        total = 0
        counts = []
        for e in self.events:
            kind = e.kind
            if kind == START:
                running[e.url] = running.get(e.url, 0) + 1
                total += 1
            elif kind == FINISH or kind == FAIL:
                n = running.get(e.url)
                if n:
                    running[e.url] = n - 1
                    total -= 1
            counts.append(total)
        return tuple(counts)

    def in_flight_at(self, index: int) -> dict[str, list[Event]]:
        """The downloads in flight just after ``events[index]``: URL -> its start
        events, oldest first, URLs in the order they went in flight. An end closes
        the oldest open start of its URL."""
        running: dict[str, list[Event]] = {}
        for e in self.events[: index + 1]:
            kind = e.kind
            if kind == START:
                running.setdefault(e.url, []).append(e)
            elif (kind == FINISH or kind == FAIL) and running.get(e.url):
                starts = running[e.url]
                del starts[0]
                if not starts:
                    del running[e.url]
        return running

    def max_in_flight(self) -> InFlightPeak:
        """The first moment the most downloads were in flight, and which ones."""
        counts = self.in_flight_counts()
        most = max(counts, default=0)
        if not most:
            return InFlightPeak(0, 0.0, -1, ())
        # Counts rise only at a start, so the first index of the most is a start.
        index = counts.index(most)
        peak = self.events[index]
        running = self.in_flight_at(index)
        urls = tuple(url for url, starts in running.items() for _ in starts)
        return InFlightPeak(most, peak.time, peak.seq, urls)

    def starts(self, url: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == START and (url is None or e.url == url)]

    def end_time(self) -> float:
        return self.events[-1].time if self.events else 0.0
