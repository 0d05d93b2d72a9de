"""A violation as Markdown for a review comment: a Mermaid gantt chart that GitHub
and GitLab draw as a picture, where every thread was, the message and the replay.

The chart has one section per thread that downloaded and one bar per download on
virtual time in integer milliseconds (``dateFormat x`` reads Unix milliseconds, so 0
is the run's start); the bars in flight at the violation are ``crit``, and the
violation is a milestone in a section of its own. What Mermaid silently gets wrong
is in tests/MERMAID_NOTES.md: a ``:`` ends a task name, ``#word;`` is an entity,
decimals misplace bars, a zero-length bar is invisible, some leading words turn a
task into a statement. Each rule is kept here, next to the line it shapes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..models import SubjectReport
from ._registry import report_format
from ._violation import iter_violations

__all__ = ["gantt_of", "markdown_of", "render_markdown"]

# Above a minute, seconds.milliseconds would repeat; d3-time-format's %M:%S does not.
_MINUTE = 60.0
# Leading words that make Mermaid read a task line as something else, or fail
# (MERMAID_NOTES.md, "Characters and words in task names"); a name that starts
# with one gets a neutral prefix.
_STATEMENT = re.compile(
    r"(?i)^(?:(?:click|call|gantt|section|title|includes|excludes|todaymarker|dateformat"
    r"|axisformat|tickinterval|inclusiveenddates|topaxis|weekend|weekday|acctitle|accdescr)\b"
    r"|%|\d{4}-\d{2}-\d{2})"
)
# CommonMark: an "_" between two letters or digits never opens or closes emphasis,
# so only the others need a backslash (keeps ``article_queue.py`` readable).
_LOOSE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]<>|~&])")


# --------------------------------------------------------------------------- shared words


def moment_label(view: dict) -> str:
    """The violation in a few words: ``5 in flight (limit 4)`` for a broken limit."""
    if view["invariant"] == "max_in_flight":
        return f"{view['violation']['in_flight']} in flight (limit {view['scenario']['limit']})"
    return f"{view['invariant']} broken"


def moment_title(view: dict) -> str:
    """When ``view["threads"]`` was taken, in words."""
    at = view["violation"].get("at")
    if view["invariant"] == "max_in_flight" and view["violation"].get("seq") is not None:
        return f"where every thread was at t={at:.3f}s, when the limit broke"
    if view["outcome"] == "returned":
        return "where every thread was when download_all returned"
    return f"where every thread was when the run ended ({view['outcome']})"


def thread_state(thread: dict) -> str:
    """The thread's state, with what it does next when it was caught running."""
    state = thread["state"]
    if state == "running" and thread.get("next"):
        return f"running; next it {thread['next']}"
    return state


def quiet_summary(report: SubjectReport) -> str:
    """One line for a subject with no violation to draw."""
    name = report.subject.name
    if report.unsupported:
        return f"{name}: not judged: {report.unsupported}"
    broken = [v.invariant for v in report.verdicts if not v.holds]
    if broken:
        return f"{name}: broke {', '.join(broken)}, with no recorded run to draw"
    return f"{name}: every invariant held"


def milliseconds(t: float) -> int:
    # Mermaid reads "250.5" as a date and misplaces the bar without a word: integers only.
    return round(t * 1000)


# --------------------------------------------------------------------------- the chart


def gantt_of(view: dict) -> str:
    """The Mermaid gantt chart of the view (without the fence)."""
    downloads = view["downloads"]
    at = view["violation"].get("at")
    run_end = view["end"]
    span = max([run_end, at or 0.0, *(d["end"] or d["start"] for d in downloads)])
    lines = [
        "gantt",
        "    dateFormat x",
        f"    axisFormat {'%M:%S' if span > _MINUTE else '%S.%L'}",
        "    todayMarker off",
    ]
    threads: list[str] = []
    for d in downloads:
        if d["thread"] not in threads:
            threads.append(d["thread"])
    ids = {id(d): f"d{i}" for i, d in enumerate(downloads)}
    for thread in threads:
        lines.append(f"    section {_section_name(thread)}")
        for d in downloads:
            if d["thread"] != thread:
                continue
            start = milliseconds(d["start"])
            end = milliseconds(d["end"] if d["end"] is not None else run_end)
            # Mermaid draws a zero-length bar 0 px wide: give it a millisecond.
            end = max(end, start + 1)
            tags = "crit, " if d["in_flight_at_violation"] else ""
            lines.append(f"    {_task_name(d['url'])} : {tags}{ids[id(d)]}, {start}, {end}")
    moment = milliseconds(at if at is not None else run_end)
    lines.append("    section violation")
    lines.append(f"    {_task_name(moment_label(view))} : crit, milestone, v, {moment}, 0ms")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _section_name(name: str) -> str:
    # A section name is shown as written up to the end of the line; an empty one fails.
    return _one_line(name) or "(unnamed)"


def _task_name(text: str) -> str:
    name = _one_line(text) or "(empty)"
    if _STATEMENT.match(name):
        name = "task " + name
    # "#" first: the "#" of the entity written for ":" must stay as it is.
    return name.replace("#", "#35;").replace(":", "#58;")


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Text as Markdown shows it literally (one line), ``|`` escaped for tables."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))
    return _LOOSE_UNDERSCORE.sub(r"\\_", text)


def _code(text: str, *, cell: bool = False) -> str:
    """A code span that holds ``text`` whatever backticks it has."""
    text = _one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if cell:  # GFM splits a table row at "|" before it reads code spans
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def markdown_of(view: dict) -> str:
    """One violation as a Markdown block: heading, chart, threads, message, replay."""
    lines = [
        f"### {_code(view['subject'])} breaks {_code(view['invariant'])}: {_md(view['claim'])}",
        "",
        f"Scenario {_md(view['scenario']['description'])}; {_md(view['runtime'])} runtime; "
        f"the run ended at t={view['end']:.3f}s ({_md(view['outcome'])}).",
        "",
        "```mermaid",
        gantt_of(view),
        "```",
    ]
    if view["threads"]:
        lines += [
            "",
            f"{_capital(_md(moment_title(view)))}:",
            "",
            "| thread | state at the violation | where |",
            "| --- | --- | --- |",
        ]
        for t in view["threads"]:
            where = _code(t["where"], cell=True) if t["where"] else ""
            lines.append(f"| {_md(t['name'])} | {_md(thread_state(t))} | {where} |")
    lines += ["", f"**{_md(view['invariant'])}**: {_md(view['violation']['message'])}"]
    if view.get("replay"):
        lines += ["", f"Replay it: {_code('interlock replay ' + view['replay'])}"]
    return "\n".join(lines)


@report_format(
    "markdown",
    summary="every violation as Markdown with a Mermaid gantt chart, for a review comment",
    order=50,
)
def render_markdown(reports: Sequence[SubjectReport]) -> str:
    parts = []
    for report in reports:
        views = list(iter_violations([report]))
        parts += [markdown_of(view) for view in views] or [_md(quiet_summary(report))]
    return "\n\n".join(parts) if parts else "no subjects"
