"""``work_conserving`` (advisory): no download slot sits idle while work waits.

A subject is work-conserving when, as long as some URL has not started, it keeps
``min(limit, unfinished)`` downloads in flight. The classic failure is head-of-line
blocking: joining workers in start order, so a slow download holds back the start
of new ones while the slots of faster ones stand empty.

Measure: idle slot-time. Between consecutive events (in ``seq`` order, from the
first event to the last) the state is constant; while a URL still waits to start,
``idle = min(limit, unfinished) - in_flight`` slots are free, and idle times
duration is the slot-time wasted. A handoff (a finish, then a start at the same
virtual time) costs nothing, so exact runtimes only see real idleness.

Who is to blame for an idle slot. The trace shows when slots were idle, not
whether the subject could have filled them: a scheduler may also advance time
while a thread that would start a download is ready to run. So:

- A run whose schedule chose to advance the clock while some thread could run
  (a ``CLOCK`` decision, 0, in ``record.decisions``) is not judged: its idle
  slots are partly the scheduler's. Exploration runs many schedules; the fair
  ones (time advances only when every thread waits) judge the subject alone.
- Each idle gap (one slot, from the moment it frees to the moment it is reused,
  paired last-in first-out so that quick refills close the newest gaps and
  long holes stay long) is forgiven a grace: ``NOISE_FACTOR`` times the
  longest lateness of a download (measured minus scripted duration), which is
  zero under a fair virtual clock.
- What remains must exceed ``RELATIVE_TOLERANCE`` of the total scripted
  download time, and ``ABSOLUTE_EPSILON`` virtual seconds. Downloads that take
  no time at all give nothing to compare with: such a scenario is not judged.

When the typical download is late, the clock is a real one (threads, scaled
time). Measured on a loaded two-core machine at 1 ms per virtual second, its
latency spikes (thread start, GIL hand-over) reach several download lengths,
and a thread-per-URL subject then idles up to 60% of download time by latency
alone, while head-of-line blocking (``slow_head``) idles 100-200%. So under a
real clock only gross idleness counts: a gap is forgiven the most of the rule
above, ``REAL_CLOCK_GAPS`` mean download durations and ``NOISE_FACTOR`` times
the run's median gap (its own typical handoff), and what remains must exceed
``REAL_CLOCK_TOLERANCE`` of the download time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models import RunRecord, Verdict
from ..models.events import FAIL, FINISH, START
from ._common import at, judged_results, not_returned, plural
from ._registry import invariant

__all__ = [
    "ABSOLUTE_EPSILON",
    "NOISE_FACTOR",
    "REAL_CLOCK_GAPS",
    "REAL_CLOCK_TOLERANCE",
    "RELATIVE_TOLERANCE",
    "clock_lateness",
    "work_conserving",
]

NAME = "work_conserving"
RELATIVE_TOLERANCE = 0.10  # idle slot-seconds allowed, as a share of all download time
ABSOLUTE_EPSILON = 1e-3  # virtual seconds; absorbs float rounding of event times
NOISE_FACTOR = 3.0  # grace per idle gap, in units of the longest download lateness
REAL_CLOCK_GAPS = 3.0  # grace per idle gap under a real clock, in mean download durations
# A median lateness above this (virtual seconds) means a real, noisy clock.
LATE_EPSILON = 1e-3
REAL_CLOCK_TOLERANCE = 0.75  # idle share allowed under a real clock
# ``runtime.controlled.strategy.CLOCK``, as it appears in ``record.decisions`` (checkers
# import only ``models``): "advance time" chosen while some thread could run.
CLOCK_DECISION = 0


@dataclass(frozen=True)
class _Stretch:
    """A maximal time range during which some slot was idle while URLs waited."""

    start: float
    end: float
    idle: float  # slot-seconds
    busy_min: int
    busy_max: int
    waiting: int


@invariant(
    NAME,
    summary="no download slot stays idle while URLs wait to start (beyond a tolerance)",
    advisory=True,
)
def work_conserving(record: RunRecord) -> Verdict:
    """Integrate idle slot-time over the trace; compare with the tolerance above."""
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}", advisory=True)
    scenario = record.scenario
    total = sum(t.duration for t in scenario.tasks)
    if total == 0:
        message = "not judged: the downloads take no time, so no slot-time can be measured"
        return Verdict(NAME, True, message, advisory=True)
    early = record.decisions.count(CLOCK_DECISION)
    if early:
        message = (
            f"not judged: the schedule advanced the clock {plural(early, 'time')} while a "
            "thread could run, so idle slots are not the subject's alone"
        )
        return Verdict(NAME, True, message, advisory=True)
    late = clock_lateness(record)
    idle, gaps, stretches = _measure(record)
    grace = NOISE_FACTOR * (late[-1] if late else 0.0)
    share_allowed = RELATIVE_TOLERANCE
    real_clock = bool(late) and late[len(late) // 2] > LATE_EPSILON
    if real_clock:
        median_gap = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
        mean_duration = total / len(scenario.tasks)
        grace = max(grace, REAL_CLOCK_GAPS * mean_duration, NOISE_FACTOR * median_gap)
        share_allowed = REAL_CLOCK_TOLERANCE
    wasted = sum(max(0.0, gap - grace) for gap in gaps)
    allowed = max(share_allowed * total, ABSOLUTE_EPSILON)
    share = f"idle {wasted / total:.0%} of download time"
    tolerance = f"tolerance {share_allowed:.0%}"
    if wasted <= allowed:
        message = (
            f"{share} while URLs waited ({wasted:.3f} slot-seconds beyond a grace of "
            f"{grace:.3f}s per gap; {tolerance})"
        )
        return Verdict(NAME, True, message, advisory=True)
    worst = max(stretches, key=lambda s: s.idle)
    busy = (
        str(worst.busy_min)
        if worst.busy_min == worst.busy_max
        else f"{worst.busy_min} to {worst.busy_max}"
    )
    message = (
        f"from t={at(worst.start)} to t={at(worst.end)} only {busy} of {scenario.limit} slots "
        f"busy while {plural(worst.waiting, 'URL')} waited ({share}; {tolerance})"
    )
    evidence = [
        f"idle slot-seconds: {wasted:.3f} after grace ({idle:.3f} raw) against "
        f"{total:.3f} download-seconds; allowed {allowed:.3f}",
        f"each idle gap is forgiven {grace:.3f}s"
        + (" (a real clock: most downloads ran late)" if real_clock else ""),
        "longest idle stretches:",
    ]
    for s in sorted(stretches, key=lambda s: -s.idle)[:5]:
        evidence.append(
            f"  t={at(s.start)}..{at(s.end)}: {s.idle:.3f} slot-seconds idle, "
            f"{s.busy_min}-{s.busy_max} busy, {s.waiting} waiting"
        )
    return Verdict(NAME, False, message, advisory=True, evidence=tuple(evidence))


def clock_lateness(record: RunRecord) -> list[float]:
    """How much longer than scripted each finished download took, sorted ascending.

    Zero under a fair virtual clock; under real threads, how late ``time.sleep``
    woke, in virtual seconds.
    """
    late = []
    for interval in record.trace.intervals():
        task = record.scenario.task(interval.url)
        if task is None or interval.end is None:
            continue
        late.append(max(0.0, (interval.end - interval.start) - task.duration))
    return sorted(late)


def _measure(record: RunRecord) -> tuple[float, list[float], list[_Stretch]]:
    """(idle slot-seconds, the length of every idle gap, the idle stretches)."""
    limit = record.scenario.limit
    events = list(record.trace)
    scenario = record.scenario
    # URLs that never start were dropped, not delayed: other checkers report them.
    eventually = {e.url for e in events if e.kind == START and scenario.task(e.url) is not None}
    started: set[str] = set()
    ended: set[str] = set()
    open_starts: dict[str, int] = {}
    in_flight = 0

    raw = 0.0
    closed: list[float] = []
    gaps: list[float] = []  # start times of open idle gaps, newest last
    stretches: list[_Stretch] = []
    current: dict | None = None

    for i, e in enumerate(events):
        if e.kind == START:
            in_flight += 1
            open_starts[e.url] = open_starts.get(e.url, 0) + 1
            if e.url in eventually:
                started.add(e.url)
        elif e.kind in (FINISH, FAIL) and open_starts.get(e.url):
            in_flight -= 1
            open_starts[e.url] -= 1
            if e.url in eventually:
                ended.add(e.url)
        waiting = len(eventually) - len(started)
        level = 0
        if waiting and i + 1 < len(events):
            level = max(0, min(limit, len(eventually) - len(ended)) - in_flight)
        # Open or close gaps so that len(gaps) == level.
        while len(gaps) < level:
            gaps.append(e.time)
        while len(gaps) > level:
            closed.append(e.time - gaps.pop())
        # The last event has level 0 (the run is over), so it closes any open stretch.
        dt = events[i + 1].time - e.time if i + 1 < len(events) else 0.0
        raw += level * dt
        if level and current is None:
            current = {"start": e.time, "idle": 0.0, "busy": [], "waiting": waiting}
        if current is not None and not level:
            stretches.append(_close(current, e.time))
            current = None
        if current is not None:
            current["idle"] += level * dt
            if dt > 0:
                current["busy"].append(in_flight)
    return raw, closed, [s for s in stretches if s.idle > 0]


def _close(current: dict, end: float) -> _Stretch:
    busy = current["busy"] or [0]
    return _Stretch(
        current["start"], end, current["idle"], min(busy), max(busy), current["waiting"]
    )
