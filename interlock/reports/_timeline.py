"""A violation's run as a timeline: who started and finished what, when, in flight."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import RunRecord, SubjectReport, Verdict
from ..models.events import START
from ._registry import report_format
from ._table import render_details, render_table

__all__ = ["render_timeline", "render_timelines"]


def render_timeline(record: RunRecord, verdict: Verdict | None = None, *, context: int = 40) -> str:
    """The trace as a reviewer reads it: who started and finished what, when, with the
    number in flight after each event; for a max_in_flight violation, cut at the peak."""
    limit = record.scenario.limit
    trace = record.trace
    counts = trace.in_flight_counts()
    indices = range(len(trace.events))
    peak_seq = None
    if verdict is not None and verdict.invariant == "max_in_flight" and not verdict.holds:
        peak_seq = trace.max_in_flight().seq
        indices = [i for i in indices if trace.events[i].seq <= peak_seq]
    indices = list(indices)
    skipped = max(len(indices) - context, 0)
    indices = indices[skipped:]
    events = [trace.events[i] for i in indices]
    lines = [f"timeline of {record.subject} on {record.scenario.describe()} ({record.runtime})"]
    if skipped:
        lines.append(f"  ... {skipped} earlier events")
    thread_width = max([len(e.thread) for e in events] + [6])
    url_width = max([len(e.url) for e in events] + [3])
    for i, e in zip(indices, events, strict=True):
        count = counts[i]
        mark = ""
        if e.seq == peak_seq and e.kind == START:
            mark = f"   <-- {count} in flight, limit is {limit}"
        lines.append(
            f"  t={e.time:8.3f}s  {e.thread:<{thread_width}}  {e.kind:<7} {e.url:<{url_width}}"
            f"  in flight: {count}{mark}"
        )
    if verdict is not None:
        lines.append("")
        lines.append(f"{verdict.status} {verdict.invariant}: {verdict.message}")
        lines.extend(f"  {line}" for line in verdict.evidence)
    if record.diagnosis:
        lines.append(f"diagnosis: {record.diagnosis}")
    return "\n".join(lines)


def render_timelines(reports: Sequence[SubjectReport]) -> list[str]:
    """One timeline per violation, in table order."""
    out = []
    for report in reports:
        for verdict in report.verdicts:
            record = report.records.get(verdict.invariant)
            if record is not None:
                out.append(render_timeline(record, verdict))
    return out


@report_format(
    "timeline",
    summary="the table and reasons, then every violation drawn, with where each thread was",
    order=20,
)
def timeline(reports: Sequence[SubjectReport]) -> str:
    from ._explain import explain_of
    from ._violation import iter_violations

    parts = [render_table(reports), render_details(reports)]
    parts += [explain_of(view, steps=False) for view in iter_violations(reports)]
    return "\n\n".join(parts)


@report_format(
    "failure",
    summary="each violation with its replay command, and the first one's timeline "
    "(the pytest plugin's failure text)",
    order=30,
)
def failure(reports: Sequence[SubjectReport]) -> str:
    lines: list[str] = []
    for report in reports:
        broken = [v for v in report.verdicts if not v.holds]
        lines.append(
            f"interlock: {report.subject.name} broke {len(broken)} invariant(s) in {report.runs} runs"
        )
        for v in broken:
            lines.append(f"  {v.invariant}: {v.message} [scenario {v.scenario}]")
            if v.replay:
                lines.append(f"    replay: interlock replay {v.replay}")
        first = report.records.get(broken[0].invariant) if broken else None
        if first is not None:
            from ._explain import explain_of
            from ._violation import violation_view

            story = report.stories.get(broken[0].invariant)
            lines.append("")
            lines.append(explain_of(violation_view(report, broken[0], first, story)))
    return "\n".join(lines)
