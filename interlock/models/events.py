"""Download events and the trace they form, with the views checkers need."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Event", "Interval", "Trace"]

START, FINISH, FAIL, UNKNOWN = "start", "finish", "fail", "unknown"
KINDS = (START, FINISH, FAIL, UNKNOWN)


@dataclass(frozen=True)
class Event:
    """One thing a fake download did. ``seq`` orders events; ``time`` is virtual seconds."""

    seq: int
    kind: str
    url: str
    thread: str
    time: float

    def render(self) -> str:
        return f"{self.time:9.3f}s  {self.kind:<7} {self.url:<10} {self.thread}"


@dataclass(frozen=True)
class Interval:
    """A download from its start to its end (``end`` is None if it never ended)."""

    url: str
    thread: str
    start: float
    end: float | None
    start_seq: int
    end_seq: int | None
    ok: bool | None


@dataclass(frozen=True)
class InFlightPeak:
    count: int
    time: float
    seq: int
    urls: tuple[str, ...]


class Trace:
    """The ordered events of one run. Order is ``seq`` order, which is the truth
    about overlap: two events at the same virtual time happened in ``seq`` order."""

    __slots__ = ("events",)

    def __init__(self, events=()) -> None:
        self.events: tuple[Event, ...] = tuple(sorted(events, key=lambda e: e.seq))

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
            if e.kind == START:
                open_.setdefault(e.url, []).append(e)
            elif e.kind in (FINISH, FAIL) and open_.get(e.url):
                s = open_[e.url].pop(0)
                done.append(
                    Interval(e.url, s.thread, s.time, e.time, s.seq, e.seq, e.kind == FINISH)
                )
        for starts in open_.values():
            for s in starts:
                done.append(Interval(s.url, s.thread, s.time, None, s.seq, None, None))
        done.sort(key=lambda i: i.start_seq)
        return done

    def in_flight(self) -> list[tuple[float, int, int]]:
        """(time, seq, downloads in flight just after that event), one row per start or end."""
        count = 0
        rows = []
        for e in self.events:
            if e.kind == START:
                count += 1
            elif e.kind in (FINISH, FAIL):
                count -= 1
            else:
                continue
            rows.append((e.time, e.seq, count))
        return rows

    def max_in_flight(self) -> InFlightPeak:
        """The first moment the most downloads were in flight, and which ones."""
        running: dict[str, int] = {}
        total = 0
        best = InFlightPeak(0, 0.0, -1, ())
        for e in self.events:
            kind = e.kind
            if kind == START:
                running[e.url] = running.get(e.url, 0) + 1
                total += 1
                if total > best.count:
                    urls = tuple(u for u, n in running.items() for _ in range(n))
                    best = InFlightPeak(total, e.time, e.seq, urls)
            elif (kind == FINISH or kind == FAIL) and running.get(e.url):
                total -= 1
                running[e.url] -= 1
                if not running[e.url]:
                    del running[e.url]
        return best

    def starts(self, url: str | None = None) -> list[Event]:
        return [e for e in self.events if e.kind == START and (url is None or e.url == url)]

    def end_time(self) -> float:
        return self.events[-1].time if self.events else 0.0
