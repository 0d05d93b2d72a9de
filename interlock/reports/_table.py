"""The verdict table, and the one-line reason under it for every broken invariant."""

from __future__ import annotations

from collections.abc import Sequence

from ..models import SubjectReport
from ..models.invariants import column_of
from ._registry import report_format

__all__ = ["render_details", "render_table"]


def render_table(reports: Sequence[SubjectReport]) -> str:
    """Subjects by invariants: pass, FAIL, or warn (an advisory invariant broken)."""
    if not reports:
        return "no subjects"
    names = [v.invariant for v in reports[0].verdicts]
    headers = [column_of(n) for n in names]
    width = max(len("subject"), *(len(r.subject.name) for r in reports))
    cols = [max(len(h), 4) for h in headers]
    lines = [
        "  ".join(
            ["subject".ljust(width), *(h.ljust(c) for h, c in zip(headers, cols, strict=True))]
        ).rstrip()
    ]
    for report in reports:
        by_name = {v.invariant: v for v in report.verdicts}
        cells = [report.status(by_name[n]).ljust(c) for n, c in zip(names, cols, strict=True)]
        lines.append("  ".join([report.subject.name.ljust(width), *cells]).rstrip())
    legend = ", ".join(f"{column_of(n)} = {n}" for n in names if column_of(n) != n)
    lines.append("")
    lines.append(f"columns: {legend}")
    return "\n".join(lines)


def render_details(reports: Sequence[SubjectReport], *, tokens: bool = True) -> str:
    """The one-line reason beneath the table for every broken invariant."""
    out: list[str] = []
    for report in reports:
        broken = [v for v in report.verdicts if not v.holds]
        summary = f"{report.runs} runs, {report.scenarios} named scenarios, {report.wall_time:.1f}s"
        out.append(f"{report.subject.name} ({report.runtime}: {summary})")
        if report.unsupported:
            out.append(f"  n/a: not judged: {report.unsupported}")
            broken = []
        elif not broken:
            out.append("  every invariant held")
        for v in broken:
            where = f" [scenario {v.scenario}]" if v.scenario else ""
            out.append(f"  {v.status} {v.invariant}: {v.message}{where}")
            if tokens and v.replay:
                out.append(f"       replay: interlock replay {v.replay}")
        for note in report.notes:
            out.append(f"  note: {note}")
    return "\n".join(out)


@report_format("table", summary="the verdict table and a reason per violation (default)", order=10)
def table(reports: Sequence[SubjectReport]) -> str:
    return render_table(reports) + "\n\n" + render_details(reports)
