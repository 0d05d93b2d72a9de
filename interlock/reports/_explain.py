"""A violation told in words: the claim, the picture, where every thread was, and
(with ``steps``) the schedule as numbered steps.

Steps are collapsed to stay readable: consecutive steps of one thread become
one line ("producer starts thread Thread-7 at :94, then blocks in Queue.put at
:95"); for a broken limit the story stops a few lines after the moment it broke,
and a long lead-up is summed up in one line.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..models import SubjectReport
from ._lanes import lanes_of
from ._registry import report_format
from ._table import render_details, render_table
from ._violation import iter_violations

__all__ = ["explain_of", "story_lines"]

_LEAD_UP = 18  # merged lines shown before the moment of the violation
_AFTER = 3  # and after it
_MERGE = 3  # steps of one thread told in one line, at most


def explain_of(
    view: dict, *, steps: bool = True, width: int = 100, color: bool | None = None
) -> str:
    scenario = view["scenario"]
    lines = [
        f'{view["subject"]} breaks {view["invariant"]}: the claim is "{view["claim"]}"',
        f"scenario: {scenario['description']}",
        f"what happened: {view['violation']['message']}",
        *([f"diagnosis: {view['diagnosis']}"] if view.get("diagnosis") else []),
        "",
        lanes_of(view, width=width, color=color),
        "",
        _moment_title(view),
    ]
    name_width = min(max([len(t["name"]) for t in view["threads"]] + [6]), 26)
    for t in view["threads"]:
        where = f" at {t['where']}" if t["where"] and t["state"] != "finished" else ""
        then = f"; next it {t['next']}" if t.get("next") and t["state"] == "running" else ""
        lines.append(f"  {t['name']:<{name_width}} {t['state']}{where}{then}")
    if not view["threads"]:
        lines.append("  (the runtime could not tell where the threads were)")
    if steps and view["steps"]:
        lines.append("")
        lines.append("the schedule, step by step:")
        lines.extend(f"  {line}" for line in story_lines(view))
    if view.get("replay"):
        lines.append("")
        lines.append(f"replay: interlock replay {view['replay']}")
    return "\n".join(lines)


def _moment_title(view: dict) -> str:
    at = view["violation"].get("at")
    if view["invariant"] == "max_in_flight" and at is not None:
        return f"where every thread was at t={at:.3f}s, when the limit broke:"
    if view["outcome"] == "returned":
        return "where every thread was when download_all returned:"
    return f"where every thread was when the run ended ({view['outcome']}):"


def story_lines(view: dict) -> list[str]:
    """The steps merged per thread and numbered; cut around the violation."""
    merged: list[tuple[int, int, str, bool]] = []  # (first n, last n, text, the moment)
    seq = view["violation"].get("seq") if view["invariant"] == "max_in_flight" else None
    limit = view["scenario"]["limit"]
    for step in view["steps"]:
        at = f" at {_short(step['where'])}" if step["where"] else ""
        is_moment = seq is not None and step["seq"] == seq
        tail = (
            step["text"][len(step["thread"]) + 1 :]
            if step["text"].startswith(step["thread"])
            else step["text"]
        )
        tail = tail.replace(f" at {step['where']}", "") if step["where"] else tail
        if (
            merged
            and merged[-1][2].startswith(step["thread"] + " ")
            and not merged[-1][3]
            and not is_moment
            and step["n"] - merged[-1][0] < _MERGE
        ):
            first, _, text, _ = merged[-1]
            merged[-1] = (first, step["n"], f"{text}, then {tail}{at}", False)
            continue
        text = f"{step['thread']} {tail}{at}"
        if is_moment:
            text += f"   <-- {step['in_flight']} in flight, limit {limit}"
        merged.append((step["n"], step["n"], text, is_moment))
    moment_index = next((i for i, m in enumerate(merged) if m[3]), None)
    lines = []
    start = 0
    stop = len(merged)
    if moment_index is not None:
        start = max(0, moment_index - _LEAD_UP)
        stop = min(len(merged), moment_index + 1 + _AFTER)
    elif len(merged) > _LEAD_UP + _AFTER + 6:
        start = len(merged) - (_LEAD_UP + _AFTER)
    if start:
        lines.append(f"(steps 1-{merged[start - 1][1]}: the run's first {start} turns, left out)")
    for index in range(start, stop):
        first, last, text, _ = merged[index]
        number = f"{first}." if first == last else f"{first}-{last}."
        lines.append(f"{number:<7}{text}")
    if stop < len(merged):
        lines.append(f"(then {len(merged) - stop} more turns until the run ends)")
    return lines


def _short(where: str) -> str:
    """``article_queue.py:94 in producer`` stays as it is; nothing else to cut."""
    return where


@report_format(
    "explain",
    summary="the table, then every violation drawn and told: where each thread was, "
    "and the schedule as numbered steps",
    order=25,
)
def explain(reports: Sequence[SubjectReport]) -> str:
    parts = [render_table(reports), render_details(reports)]
    parts += [explain_of(view) for view in iter_violations(reports)]
    return "\n\n".join(parts)
