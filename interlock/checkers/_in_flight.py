"""``max_in_flight``: never more than ``limit`` downloads at once."""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.events import FAIL, FINISH, START
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
    peak = record.trace.max_in_flight()
    if peak.count <= limit:
        if peak.count == 0:
            return Verdict(NAME, True, f"no download started; limit is {limit}")
        message = f"at most {peak.count} in flight (first at t={at(peak.time)}); limit is {limit}"
        return Verdict(NAME, True, message)
    message = (
        f"{peak.count} downloads in flight at t={at(peak.time)} ({url_list(peak.urls)}); "
        f"limit is {limit}"
    )
    return Verdict(NAME, False, message, evidence=_evidence(record, peak.seq))


def _evidence(record: RunRecord, peak_seq: int) -> tuple[str, ...]:
    """When the limit was first exceeded, and who started each download in flight at the peak."""
    limit = record.scenario.limit
    running: dict[str, list] = {}
    first_over = None
    for e in record.trace:
        if e.seq > peak_seq:
            break
        if e.kind == START:
            running.setdefault(e.url, []).append(e)
            count = sum(len(v) for v in running.values())
            if count > limit and first_over is None:
                first_over = (e, count)
        elif e.kind in (FINISH, FAIL) and running.get(e.url):
            running[e.url].pop(0)
            if not running[e.url]:
                del running[e.url]
    lines: list[str] = []
    if first_over is not None:
        e, count = first_over
        lines.append(
            f"limit first exceeded at t={at(e.time)}: {e.thread} started {e.url}, "
            f"making {count} in flight"
        )
    starts = sorted((s for v in running.values() for s in v), key=lambda s: s.seq)
    lines.append(f"in flight at the peak ({plural(len(starts), 'download')}):")
    for s in starts[:_EVIDENCE_LINES]:
        lines.append(f"  {s.url} started at t={at(s.time)} by {s.thread}")
    if len(starts) > _EVIDENCE_LINES:
        lines.append(f"  ... and {len(starts) - _EVIDENCE_LINES} more")
    return tuple(lines)
