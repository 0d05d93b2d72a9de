"""``max_in_flight``: never more than ``limit`` downloads at once."""

from __future__ import annotations

from operator import attrgetter

from ..models import Event, RunRecord, Trace, Verdict
from ._common import at, plural, url_list
from ._registry import invariant

__all__ = ["max_in_flight"]

NAME = "max_in_flight"
# Evidence names at most this many downloads one per line; a flood of hundreds says no more.
_EVIDENCE_LINES = 20


@invariant(NAME, summary="never more than `limit` downloads in flight at once")
def max_in_flight(record: RunRecord) -> Verdict:
    """Replay the trace in ``seq`` order (the truth about overlap: two events at the
    same virtual time happened in ``seq`` order, so a finish followed by a start is a
    handoff, not an overlap) and compare the peak with the scenario's limit."""
    limit = record.scenario.limit
    trace = record.trace
    # ``Trace.max_in_flight`` in parts: a holding verdict needs no URL named.
    counts = trace.in_flight_counts()
    most = max(counts, default=0)
    if most == 0:
        return Verdict(NAME, True, f"no download started; limit is {limit}")
    index = counts.index(most)
    peak = trace.events[index]
    if most <= limit:
        message = f"at most {most} in flight (first at t={at(peak.time)}); limit is {limit}"
        return Verdict(NAME, True, message)
    running = trace.in_flight_at(index)
    urls = [url for url, starts in running.items() for _ in starts]
    message = (
        f"{most} downloads in flight at t={at(peak.time)} ({url_list(urls)}); limit is {limit}"
    )
    return Verdict(NAME, False, message, evidence=_evidence(trace, counts, limit, running))


def _evidence(
    trace: Trace, counts: list[int], limit: int, running: dict[str, list[Event]]
) -> tuple[str, ...]:
    """When the limit was first exceeded, and who started each download in flight at the peak."""
    first_over = next(i for i, n in enumerate(counts) if n > limit)
    e = trace.events[first_over]
    lines = [
        f"limit first exceeded at t={at(e.time)}: {e.thread} started {e.url}, "
        f"making {counts[first_over]} in flight"
    ]
    starts = sorted([s for v in running.values() for s in v], key=attrgetter("seq"))
    lines.append(f"in flight at the peak ({plural(len(starts), 'download')}):")
    for s in starts[:_EVIDENCE_LINES]:
        lines.append(f"  {s.url} started at t={at(s.time)} by {s.thread}")
    if len(starts) > _EVIDENCE_LINES:
        lines.append(f"  ... and {len(starts) - _EVIDENCE_LINES} more")
    return tuple(lines)
