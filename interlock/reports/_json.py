"""Reports as JSON: ``{"targets": [{"target", "verdicts": [...], "violations": [...], ...}]}``;
each violation is the view every drawing format reads (``_violation``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..models import SubjectReport, Verdict
from ._registry import report_format
from ._violation import iter_violations

__all__ = ["render_json", "to_json"]


def to_json(reports: Sequence[SubjectReport]) -> dict:
    return {
        "targets": [
            {
                "target": r.subject.target,
                "name": r.subject.name,
                "runtime": r.runtime,
                "runs": r.runs,
                "ok": r.ok,
                "unsupported": r.unsupported,
                "verdicts": [_verdict_json(v) for v in r.verdicts],
                "notes": list(r.notes),
                "violations": list(iter_violations([r])),
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


@report_format("json", summary="every verdict as JSON", order=40)
def render_json(reports: Sequence[SubjectReport]) -> str:
    return json.dumps(to_json(reports), indent=2)
