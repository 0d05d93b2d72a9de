"""``max_in_flight``: never more than ``limit`` downloads at once, or than the bound the
subject promises instead (``PROMISES = {"bound": "limit + 1"}``, or a number)."""

from __future__ import annotations

from operator import attrgetter

from ..models import Event, RunRecord, Trace, Verdict
from ..models.subject import Promises, promises_of
from ._common import at, keep, plural, url_list
from ._registry import invariant

__all__ = ["max_in_flight"]

NAME = "max_in_flight"
# Evidence names at most this many downloads one per line; a flood of hundreds says no more.
_EVIDENCE_LINES = 20
_HELD: dict = {}  # holding verdicts by (most, first at, bound, limit): see ``keep``


@invariant(
    NAME,
    column="in-flight",
    order=10,
    summary="never more than `limit` downloads in flight at once",
)
def max_in_flight(record: RunRecord) -> Verdict:
    """Replay the trace in ``seq`` order (the truth about overlap: two events at the
    same virtual time happened in ``seq`` order, so a finish followed by a start is a
    handoff, not an overlap) and compare the peak with the scenario's limit, or with
    the bound the subject promises."""
    limit = record.scenario.limit
    promises = promises_of(record.subject)
    bound = promises.at_most(limit)
    trace = record.trace
    # ``Trace.max_in_flight`` in parts: a holding verdict needs no URL named.
    counts = trace.in_flight_counts()
    most = max(counts, default=0)
    if most == 0:
        return Verdict(NAME, True, f"no download started; {_allowed(promises, limit)}")
    index = counts.index(most)
    peak = trace.events[index]
    if most <= bound:
        key = (most, peak.time, promises.bound, limit)
        verdict = _HELD.get(key)
        if verdict is None:
            allowed = _allowed(promises, limit)
            message = f"at most {most} in flight (first at t={at(peak.time)}); {allowed}"
            verdict = keep(_HELD, key, Verdict(NAME, True, message))
        return verdict
    allowed = _allowed(promises, limit)
    # The starts in flight at the peak, grouped by URL in the order the URLs went in flight.
    starts = [s for group in trace.in_flight_at(index).values() for s in group]
    urls = [s.url for s in starts]
    what = "limit" if promises.bound == "limit" else "promised bound"
    message = f"{most} downloads in flight at t={at(peak.time)} ({url_list(urls)}); {allowed}"
    return Verdict(NAME, False, message, evidence=_evidence(trace, counts, bound, starts, what))


def _allowed(promises: Promises, limit: int) -> str:
    """``limit is 4``, or the bound the subject promises instead."""
    if promises.bound == "limit":
        return f"limit is {limit}"
    if isinstance(promises.bound, int):
        return f"the subject promises at most {promises.bound} (limit {limit})"
    return (
        f"the subject promises at most {promises.bound} = {promises.at_most(limit)} (limit {limit})"
    )


def _evidence(
    trace: Trace, counts: tuple[int, ...], bound: int, starts: list[Event], what: str
) -> tuple[str, ...]:
    """When the bound was first exceeded, and who started each download in flight at the peak."""
    # Counts move by one from zero, so the first count over the bound is bound + 1.
    first_over = counts.index(bound + 1)
    e = trace.events[first_over]
    lines = [
        f"{what} first exceeded at t={at(e.time)}: {e.thread} started {e.url}, "
        f"making {counts[first_over]} in flight"
    ]
    starts = sorted(starts, key=attrgetter("seq"))
    lines.append(f"in flight at the peak ({plural(len(starts), 'download')}):")
    for s in starts[:_EVIDENCE_LINES]:
        lines.append(f"  {s.url} started at t={at(s.time)} by {s.thread}")
    if len(starts) > _EVIDENCE_LINES:
        lines.append(f"  ... and {len(starts) - _EVIDENCE_LINES} more")
    return tuple(lines)
