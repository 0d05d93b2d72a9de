"""Rendering: pure functions from reports and records to text and JSON."""

from __future__ import annotations

import json

from .models import RunRecord, Verdict
from .models.events import FAIL, FINISH, START
from .verify import SubjectReport

__all__ = ["render_details", "render_json", "render_table", "render_timeline", "to_json"]

# Column headers for the verdict table, in checker order; unknown names use themselves.
_SHORT = {
    "max_in_flight": "in-flight",
    "no_lost_results": "lost",
    "no_duplicates": "dups",
    "errors_reported": "errors",
    "no_deadlock": "deadlock",
    "clean_shutdown": "shutdown",
    "terminates": "terminates",
    "no_crash": "crash",
    "work_conserving": "conserving",
}


def render_table(reports: list[SubjectReport]) -> str:
    """Subjects by invariants: pass, FAIL, or warn (an advisory invariant broken)."""
    if not reports:
        return "no subjects"
    names = [v.invariant for v in reports[0].verdicts]
    headers = [_SHORT.get(n, n) for n in names]
    width = max(len("subject"), *(len(r.subject.name) for r in reports))
    cols = [max(len(h), 4) for h in headers]
    lines = [
        "  ".join(
            ["subject".ljust(width), *(h.ljust(c) for h, c in zip(headers, cols, strict=True))]
        ).rstrip()
    ]
    for report in reports:
        by_name = {v.invariant: v for v in report.verdicts}
        cells = [by_name[n].status.ljust(c) for n, c in zip(names, cols, strict=True)]
        lines.append("  ".join([report.subject.name.ljust(width), *cells]).rstrip())
    legend = ", ".join(f"{_SHORT.get(n, n)} = {n}" for n in names if _SHORT.get(n, n) != n)
    lines.append("")
    lines.append(f"columns: {legend}")
    return "\n".join(lines)


def render_details(reports: list[SubjectReport], *, tokens: bool = True) -> str:
    """The one-line reason beneath the table for every broken invariant."""
    out: list[str] = []
    for report in reports:
        broken = [v for v in report.verdicts if not v.holds]
        summary = f"{report.runs} runs, {report.scenarios} named scenarios, {report.wall_time:.1f}s"
        out.append(f"{report.subject.name} ({report.runtime}: {summary})")
        if not broken:
            out.append("  every invariant held")
        for v in broken:
            where = f" [scenario {v.scenario}]" if v.scenario else ""
            out.append(f"  {v.status} {v.invariant}: {v.message}{where}")
            if tokens and v.replay:
                out.append(f"       replay: interlock replay {v.replay}")
        for note in report.notes:
            out.append(f"  note: {note}")
    return "\n".join(out)


def to_json(reports: list[SubjectReport]) -> dict:
    return {
        "targets": [
            {
                "target": r.subject.target,
                "name": r.subject.name,
                "runtime": r.runtime,
                "runs": r.runs,
                "ok": r.ok,
                "verdicts": [_verdict_json(v) for v in r.verdicts],
                "notes": list(r.notes),
            }
            for r in reports
        ]
    }


def _verdict_json(v: Verdict) -> dict:
    return {
        "invariant": v.invariant,
        "holds": v.holds,
        "advisory": v.advisory,
        "message": v.message,
        "scenario": v.scenario,
        "replay": v.replay,
        "evidence": list(v.evidence),
    }


def render_json(reports: list[SubjectReport]) -> str:
    return json.dumps(to_json(reports), indent=2)


def render_timeline(record: RunRecord, verdict: Verdict | None = None, *, context: int = 40) -> str:
    """The trace as a reviewer reads it: who started and finished what, when, with the
    number in flight after each event; for a max_in_flight violation, cut at the peak."""
    limit = record.scenario.limit
    events = list(record.trace)
    peak_seq = None
    if verdict is not None and verdict.invariant == "max_in_flight" and not verdict.holds:
        peak_seq = record.trace.max_in_flight().seq
        events = [e for e in events if e.seq <= peak_seq]
    if len(events) > context:
        skipped = len(events) - context
        events = events[-context:]
    else:
        skipped = 0
    lines = [f"timeline of {record.subject} on {record.scenario.describe()} ({record.runtime})"]
    if skipped:
        lines.append(f"  ... {skipped} earlier events")
    count = _in_flight_before(record, events[0].seq) if events else 0
    thread_width = max([len(e.thread) for e in events] + [6])
    url_width = max([len(e.url) for e in events] + [3])
    for e in events:
        if e.kind == START:
            count += 1
        elif e.kind in (FINISH, FAIL):
            count -= 1
        mark = ""
        if e.seq == peak_seq:
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


def _in_flight_before(record: RunRecord, seq: int) -> int:
    count = 0
    for e in record.trace:
        if e.seq >= seq:
            break
        if e.kind == START:
            count += 1
        elif e.kind in (FINISH, FAIL):
            count -= 1
    return count
