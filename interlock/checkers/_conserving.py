"""``work_conserving`` (advisory): no download slot sits idle while work waits.

A subject is work-conserving when, as long as some URL has not started, it keeps
``min(slots, unfinished)`` downloads in flight, where ``slots`` is ``limit``, or the
bound the subject promises when that is lower (``PROMISES = {"bound": 1}``: one at a
time is all it claims). The classic failure is head-of-line
blocking: joining workers in start order, so a slow download holds back the start
of new ones while the slots of faster ones stand empty.

Measure: idle slot-time. Between consecutive events (in ``seq`` order, from the
first event to the last) the state is constant; while a URL still waits to start,
``idle = min(slots, unfinished) - in_flight`` slots are free, and idle times
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
from ..models.record import CLOCK
from ..models.subject import promises_of
from ._common import at, judged_results, keep, not_returned, plural, scenario_facts
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
# Holding verdicts by (clock decisions,) for runs not judged, and by (wasted, total,
# grace, share allowed) for judged ones: see ``keep``.
_HELD: dict = {}


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
    column="conserving",
    order=90,
    summary="no download slot stays idle while URLs wait to start (beyond a tolerance)",
    advisory=True,
)
def work_conserving(record: RunRecord) -> Verdict:
    """Integrate idle slot-time over the trace; compare with the tolerance above."""
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}", advisory=True)
    scenario = record.scenario
    total = scenario_facts(scenario).total_duration
    if total == 0:
        message = "not judged: the downloads take no time, so no slot-time can be measured"
        return Verdict(NAME, True, message, advisory=True)
    early = record.decisions.count(CLOCK)
    if early:
        verdict = _HELD.get(early)
        if verdict is None:
            message = (
                f"not judged: the schedule advanced the clock {plural(early, 'time')} while a "
                "thread could run, so idle slots are not the subject's alone"
            )
            verdict = keep(_HELD, early, Verdict(NAME, True, message, advisory=True))
        return verdict
    late = clock_lateness(record)
    _, gaps, _ = _measure(record)
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
    if wasted <= allowed:
        key = (wasted, total, grace, share_allowed)
        verdict = _HELD.get(key)
        if verdict is None:
            message = (
                f"idle {wasted / total:.0%} of download time while URLs waited ({wasted:.3f} "
                f"slot-seconds beyond a grace of {grace:.3f}s per gap; "
                f"tolerance {share_allowed:.0%})"
            )
            verdict = keep(_HELD, key, Verdict(NAME, True, message, advisory=True))
        return verdict
    share = f"idle {wasted / total:.0%} of download time"
    tolerance = f"tolerance {share_allowed:.0%}"
    idle, _, stretches = _measure(record, detail=True)
    worst = max(stretches, key=lambda s: s.idle)
    busy = (
        str(worst.busy_min)
        if worst.busy_min == worst.busy_max
        else f"{worst.busy_min} to {worst.busy_max}"
    )
    message = (
        f"from t={at(worst.start)} to t={at(worst.end)} only {busy} of {slots(record)} slots "
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


def slots(record: RunRecord) -> int:
    """How many downloads the subject should keep busy: the limit, or the bound it
    promises when that is lower."""
    limit = record.scenario.limit
    return min(limit, promises_of(record.subject).at_most(limit))


def clock_lateness(record: RunRecord) -> list[float]:
    """How much longer than scripted each finished download took, sorted ascending.

    Zero under a fair virtual clock; under real threads, how late ``time.sleep``
    woke, in virtual seconds.
    """
    # Each end is paired with the oldest open start of its URL, as in
    # ``Trace.intervals``; only the times are kept, so no interval is built.
    durations = scenario_facts(record.scenario).durations
    open_starts: dict[str, list[float]] = {}
    late = []
    for e in record.trace.events:
        kind = e.kind
        if kind == START:
            starts = open_starts.get(e.url)
            if starts is None:
                open_starts[e.url] = [e.time]
            else:
                starts.append(e.time)
        elif kind == FINISH or kind == FAIL:
            starts = open_starts.get(e.url)
            if starts:
                start = starts.pop(0)
                duration = durations.get(e.url)
                if duration is not None:
                    late.append(max(0.0, (e.time - start) - duration))
    late.sort()
    return late


def _measure(record: RunRecord, detail: bool = False) -> tuple[float, list[float], list[_Stretch]]:
    """(idle slot-seconds, the length of every idle gap, the idle stretches).

    Only a failing verdict reports the slot-seconds and the stretches: without
    ``detail`` they are not measured (0.0 and [] come back), which saves most of
    the work per event."""
    scenario = record.scenario
    limit = slots(record)
    trace = record.trace
    events = trace.events
    in_flight_after = trace.in_flight_counts()
    # URLs that never start were dropped, not delayed: other checkers report them.
    known = scenario_facts(scenario).durations
    unstarted = {e.url for e in events if e.kind == START and e.url in known}
    unended = set(unstarted)
    in_flight = 0

    raw = 0.0
    closed: list[float] = []
    gaps: list[float] = []  # start times of open idle gaps, newest last
    stretches: list[_Stretch] = []
    # The open stretch, if any: where it began, its idle slot-seconds so far, the busy
    # counts seen in it, and how many URLs waited when it began.
    stretch_start: float | None = None
    stretch_idle = 0.0
    stretch_busy: list[int] = []
    stretch_waiting = 0

    last = len(events) - 1
    for i, e in enumerate(events):
        previous, in_flight = in_flight, in_flight_after[i]
        if e.kind == START:
            unstarted.discard(e.url)
        elif in_flight < previous:  # an end that closed a download
            unended.discard(e.url)
        waiting = len(unstarted)
        level = 0
        if waiting and i < last:
            # min(slots, unfinished) slots should be busy; the free ones are idle.
            level = min(limit, len(unended)) - in_flight
            if level < 0:
                level = 0
        # Open or close gaps so that len(gaps) == level.
        time = e.time
        while len(gaps) < level:
            gaps.append(time)
        while len(gaps) > level:
            closed.append(time - gaps.pop())
        if detail:
            # The last event has level 0 (the run is over), so it closes any open stretch.
            dt = events[i + 1].time - time if i < last else 0.0
            raw += level * dt
            if level and stretch_start is None:
                stretch_start, stretch_idle, stretch_busy, stretch_waiting = time, 0.0, [], waiting
            if stretch_start is not None and not level:
                busy = stretch_busy or [0]
                stretches.append(
                    _Stretch(
                        stretch_start, time, stretch_idle, min(busy), max(busy), stretch_waiting
                    )
                )
                stretch_start = None
            if stretch_start is not None:
                stretch_idle += level * dt
                if dt > 0:
                    stretch_busy.append(in_flight)
        if not waiting:
            # Every URL has started, so the level is 0 from here on: this event closed
            # every gap and stretch, and the rest would only add 0 * dt to ``raw``.
            break
    return raw, closed, [s for s in stretches if s.idle > 0]
