"""A violation as one self-contained HTML page: an SVG timeline and the story beside it.

The page works offline and anywhere a file can be opened or attached: CSS and SVG
are inline, and there is no script, no font, no link and no URL to fetch. The
timeline has one lane per thread that downloaded, each download a bar on virtual
time (``rect.bar``, ``crit`` for the ones in flight at the violation, its detail in
a ``<title>`` a browser shows on hover), the moment of the violation as a vertical
``line.violation``, and under the lanes how many downloads were in flight. Then the
claim, the message, where every thread was, the numbered steps and the replay.

Ids are ``v<N>-...`` with N the violation's number on the page (1, 2, ...), so
several violations share one page without a clash.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from ..models import SubjectReport
from ._markdown import moment_label, moment_title, quiet_summary, thread_state
from ._registry import report_format
from ._violation import iter_violations

__all__ = ["html_of", "render_html"]

# The drawing's geometry, in SVG user units (pixels at 100 %).
_WIDTH = 960
_RIGHT = 24  # room for the last tick label
_TOP = 30  # room for the violation's label above the lanes
_LANE = 24
_BAR = 16
_AXIS = 26  # tick labels under the lanes
_COUNT = 44  # the in-flight row
_CHAR = 6.6  # an average character at 11 px, to tell whether a label fits
_MOST_TICKS = 8

_CSS = """\
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328;
  margin: 1.5rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 .4rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
section.violation-report { border-top: 1px solid #d0d7de; padding-top: 1rem; margin-top: 1.5rem; }
p.claim q { font-style: italic; }
p.scenario { color: #57606a; margin-top: 0; }
figure { margin: 1rem 0; }
figcaption { color: #57606a; font-size: 12px; }
svg.timeline { max-width: 100%; height: auto; display: block; }
svg.timeline text { font: 11px system-ui, sans-serif; fill: #1f2328; }
svg.timeline .lane { fill: #f6f8fa; }
svg.timeline .lane.odd { fill: #ffffff; }
svg.timeline .grid { stroke: #d0d7de; stroke-width: 1; }
svg.timeline .tick-label, svg.timeline .lane-label, svg.timeline .row-label { fill: #57606a; }
svg.timeline rect.bar { fill: #4a78b5; stroke: #2f5488; stroke-width: 1; }
svg.timeline rect.bar.failed { fill: #8c959f; stroke: #57606a; stroke-dasharray: 3 2; }
svg.timeline rect.bar.crit { fill: #e8590c; stroke: #a33b06; }
svg.timeline rect.bar:hover { stroke: #1f2328; stroke-width: 2; }
svg.timeline text.bar-label { fill: #ffffff; pointer-events: none; }
svg.timeline rect.count { fill: #afb8c1; }
svg.timeline rect.count.over { fill: #e8590c; }
svg.timeline text.count-label { text-anchor: middle; pointer-events: none; }
svg.timeline line.limit { stroke: #1f2328; stroke-dasharray: 4 3; }
svg.timeline text.limit-label { fill: #57606a; }
svg.timeline line.violation { stroke: #c92a2a; stroke-width: 2; }
svg.timeline text.violation-label { fill: #c92a2a; font-weight: 600; }
.swatch { display: inline-block; width: 1.6em; height: .8em; vertical-align: middle;
  border: 1px solid #2f5488; background: #4a78b5; margin: 0 .25em 0 .8em; }
.swatch.crit { background: #e8590c; border-color: #a33b06; }
.swatch.failed { background: #8c959f; border: 1px dashed #57606a; }
.swatch.violation { width: 0; border: 0; border-left: 2px solid #c92a2a; height: 1.1em; }
p.message { background: #fff5f5; border-left: 3px solid #c92a2a; padding: .4rem .7rem; }
ul.threads { padding-left: 1.2rem; }
ul.threads li.finished { color: #57606a; }
.thread-name { font-weight: 600; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: #f6f8fa; padding: .1em .3em; border-radius: 4px; }
ol.steps { padding-left: 2.6rem; }
ol.steps li.moment { background: #fff5f5; font-weight: 600; }
ol.steps .time { color: #57606a; font-variant-numeric: tabular-nums; margin-right: .5em; }
p.held { color: #1a7f37; }
"""


def html_of(view: dict) -> str:
    """One violation as a complete HTML5 page."""
    return _document(_title(1), [_section(view, "v1")])


@report_format(
    "html",
    summary="every violation as one self-contained HTML page with an SVG timeline",
    order=60,
)
def render_html(reports: Sequence[SubjectReport]) -> str:
    parts = []
    count = 0
    for report in reports:
        views = list(iter_violations([report]))
        for view in views:
            count += 1
            parts.append(_section(view, f"v{count}"))
        if not views:
            parts.append(f'<p class="held">{escape(quiet_summary(report))}</p>')
    if not reports:
        parts.append('<p class="held">no subjects</p>')
    return _document(_title(count), parts)


def _title(count: int) -> str:
    return f"interlock: {count} violation{'' if count == 1 else 's'}"


def _document(title: str, body: list[str]) -> str:
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)}</title>",
            f"<style>\n{_CSS}</style>",
            "</head>",
            "<body>",
            f"<h1>{escape(title)}</h1>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _headline(view: dict) -> str:
    return f"{view['subject']} breaks {view['invariant']}"


def _seconds(t: float) -> str:
    return f"t={t:.3f}s"


def _section(view: dict, key: str) -> str:
    scenario = view["scenario"]
    out = [
        f'<section class="violation-report" id="{key}" data-subject="{escape(view["subject"])}"'
        f' data-invariant="{escape(view["invariant"])}">',
        f"<h2>{escape(_headline(view))}</h2>",
        f'<p class="claim" id="{key}-claim">Claim: <q>{escape(view["claim"])}</q></p>',
        f'<p class="scenario">Scenario {escape(scenario["description"])}; '
        f"{escape(view['runtime'])} runtime; the run ended at {_seconds(view['end'])} "
        f"({escape(view['outcome'])}).</p>",
        _figure(view, key),
        f'<p class="message" id="{key}-message"><strong>{escape(view["invariant"])}:</strong> '
        f"{escape(view['violation']['message'])}</p>",
    ]
    if view["threads"]:
        title = moment_title(view)
        out.append(f"<h3>{escape(title[:1].upper() + title[1:])}</h3>")
        out.append(f'<ul class="threads" id="{key}-threads">')
        for t in view["threads"]:
            state = "thread finished" if not t["alive"] else "thread"
            where = f' <code class="where">{escape(t["where"])}</code>' if t["where"] else ""
            out.append(
                f'<li class="{state}"><span class="thread-name">{escape(t["name"])}</span>: '
                f'<span class="state">{escape(thread_state(t))}</span>{where}</li>'
            )
        out.append("</ul>")
    if view["steps"]:
        out.append(f"<h3>The schedule, step by step ({len(view['steps'])} steps)</h3>")
        out.append(f'<ol class="steps" id="{key}-steps">')
        seq = view["violation"].get("seq") if view["invariant"] == "max_in_flight" else None
        for step in view["steps"]:
            moment = seq is not None and step["seq"] == seq
            mark = f" &larr; {escape(moment_label(view))}" if moment else ""
            kind = f"step {escape(step['kind'])}" + (" moment" if moment else "")
            out.append(
                f'<li value="{step["n"]}" class="{kind}"><span class="time">'
                f"{_seconds(step['time'])}</span> {escape(step['text'])}{mark}</li>"
            )
        out.append("</ol>")
    if view.get("replay"):
        command = f"interlock replay {view['replay']}"
        out.append(
            f'<p class="replay">Replay it: <code id="{key}-replay">{escape(command)}</code></p>'
        )
    out.append("</section>")
    return "\n".join(out)


# --------------------------------------------------------------------------- the picture


def _figure(view: dict, key: str) -> str:
    if not view["downloads"]:
        return (
            f'<p class="no-downloads" id="{key}-timeline">No download started: nothing to draw.</p>'
        )
    legend = (
        '<span class="swatch"></span>a download'
        '<span class="swatch crit"></span>in flight at the violation'
        '<span class="swatch failed"></span>failed'
        '<span class="swatch violation"></span>the violation'
        " &middot; virtual time in seconds; hover a bar for its detail"
    )
    return f"<figure>\n{_timeline(view, key)}\n<figcaption>{legend}</figcaption>\n</figure>"


def _tick_step(span: float) -> float:
    """The smallest step of 1, 2 or 5 times a power of ten that needs at most
    ``_MOST_TICKS`` steps across ``span``."""
    raw = span / _MOST_TICKS
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _tick_text(t: float, step: float) -> str:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    text = f"{t:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}s"


def _num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _in_flight_segments(downloads: list[dict], run_end: float) -> list[tuple[float, float, int]]:
    """(from, to, downloads in flight) between every two consecutive starts and ends."""
    ends = [(d["start"], d["end"] if d["end"] is not None else run_end) for d in downloads]
    times = sorted({0.0, *(t for pair in ends for t in pair)})
    segments = []
    for lo, hi in zip(times, times[1:], strict=False):
        count = sum(1 for start, end in ends if start <= lo < end)
        segments.append((lo, hi, count))
    return segments


def _timeline(view: dict, key: str) -> str:
    downloads = view["downloads"]
    run_end = view["end"]
    at = view["violation"].get("at")
    limit = view["scenario"]["limit"]
    span = max([run_end, at or 0.0, *(d["end"] or d["start"] for d in downloads), 1e-3])
    threads: list[str] = []
    for d in downloads:
        if d["thread"] not in threads:
            threads.append(d["thread"])
    label_chars = min(max(len(t) for t in [*threads, f"(limit {limit})"]), 28)
    left = round(label_chars * _CHAR) + 16
    plot = _WIDTH - left - _RIGHT
    lanes_bottom = _TOP + len(threads) * _LANE
    count_top = lanes_bottom + _AXIS
    height = count_top + _COUNT + 6

    def x(t: float) -> float:
        return left + t / span * plot

    out = [
        f'<svg class="timeline" id="{key}-timeline" width="{_WIDTH}" height="{height}"'
        f' viewBox="0 0 {_WIDTH} {height}" role="img" aria-labelledby="{key}-timeline-title">',
        f'<title id="{key}-timeline-title">{escape(_headline(view))}: '
        f"{len(downloads)} downloads on {len(threads)} threads</title>",
    ]
    # Lanes, their labels.
    for i, thread in enumerate(threads):
        y = _TOP + i * _LANE
        shown = thread if len(thread) <= label_chars else thread[: label_chars - 1] + "\u2026"
        out.append(
            f'<rect class="lane{" odd" if i % 2 else ""}" x="0" y="{y}" width="{_WIDTH}"'
            f' height="{_LANE}"/>'
        )
        out.append(
            f'<text class="lane-label" x="8" y="{y + _LANE / 2 + 4:g}">{escape(shown)}'
            f"<title>{escape(thread)}</title></text>"
        )
    # Ticks and grid lines.
    step = _tick_step(span)
    out.append(f'<g class="axis" id="{key}-axis">')
    for k in range(int(span / step + 1e-9) + 1):
        t = k * step
        out.append(
            f'<line class="grid" x1="{_num(x(t))}" x2="{_num(x(t))}" y1="{_TOP}"'
            f' y2="{lanes_bottom}"/>'
            f'<text class="tick-label" x="{_num(x(t))}" y="{lanes_bottom + 15}"'
            f' text-anchor="middle">{_tick_text(t, step)}</text>'
        )
    out.append("</g>")
    # The bars.
    for i, d in enumerate(downloads):
        lane = threads.index(d["thread"])
        end = d["end"] if d["end"] is not None else run_end
        x0, x1 = x(d["start"]), x(max(end, d["start"]))
        width = max(x1 - x0, 2.0)  # a zero-length download still shows
        y = _TOP + lane * _LANE + (_LANE - _BAR) / 2
        classes = ["bar"]
        if d["in_flight_at_violation"]:
            classes.append("crit")
        if d["ok"] is False:
            classes.append("failed")
        if d["end"] is None:
            classes.append("unfinished")
        if d["end"] is None:
            outcome = "did not end"
        else:
            outcome = {True: "ok", False: "failed"}.get(d["ok"], "ended")
        detail = (
            f"{d['url']} on {d['thread']}: {_seconds(d['start'])} to "
            f"{_seconds(end) if d['end'] is not None else 'the end of the run'}, {outcome}"
        )
        if d["in_flight_at_violation"]:
            detail += "; in flight at the violation"
        out.append(
            f'<rect class="{" ".join(classes)}" id="{key}-bar{i}" x="{_num(x0)}" y="{_num(y)}"'
            f' width="{_num(width)}" height="{_BAR}" data-url="{escape(d["url"])}"'
            f' data-thread="{escape(d["thread"])}"><title>{escape(detail)}</title></rect>'
        )
        if width >= len(d["url"]) * _CHAR + 8:
            out.append(
                f'<text class="bar-label" x="{_num(x0 + 4)}" y="{_num(y + _BAR / 2 + 4)}">'
                f"{escape(d['url'])}</text>"
            )
    # How many in flight, with the limit.
    segments = _in_flight_segments(downloads, run_end)
    most = max([c for _, _, c in segments] + [limit, 1])
    room = _COUNT - 14
    bottom = count_top + _COUNT
    out.append(f'<g class="in-flight" id="{key}-in-flight">')
    out.append(f'<text class="row-label" x="8" y="{_num(bottom - room / 2 - 2)}">in flight</text>')
    out.append(
        f'<text class="limit-label" x="8" y="{_num(bottom - room / 2 + 11)}">(limit {limit})</text>'
    )
    for lo, hi, count in segments:
        if count == 0:
            continue
        h = room * count / most
        over = " over" if count > limit else ""
        out.append(
            f'<rect class="count{over}" x="{_num(x(lo))}" y="{_num(bottom - h)}"'
            f' width="{_num(max(x(hi) - x(lo), 1.0))}" height="{_num(h)}" data-count="{count}">'
            f"<title>{count} in flight from {_seconds(lo)} to {_seconds(hi)}</title></rect>"
        )
        if x(hi) - x(lo) >= 14:
            out.append(
                f'<text class="count-label" x="{_num((x(lo) + x(hi)) / 2)}"'
                f' y="{_num(bottom - h - 2)}">{count}</text>'
            )
    y_limit = bottom - room * limit / most
    out.append(
        f'<line class="limit" x1="{left}" x2="{left + plot}" y1="{_num(y_limit)}"'
        f' y2="{_num(y_limit)}"><title>limit {limit}</title></line>'
    )
    out.append("</g>")
    # The violation.
    moment = at if at is not None else run_end
    vx = x(moment)
    label = moment_label(view)
    anchor = "start" if vx < left + plot / 2 else "end"
    shift = 5 if anchor == "start" else -5
    out.append(
        f'<line class="violation" id="{key}-violation" x1="{_num(vx)}" x2="{_num(vx)}"'
        f' y1="{_TOP - 8}" y2="{bottom}"><title>{escape(label)} at {_seconds(moment)}</title>'
        "</line>"
    )
    out.append(
        f'<text class="violation-label" id="{key}-violation-label" x="{_num(vx + shift)}"'
        f' y="{_TOP - 12}" text-anchor="{anchor}">{escape(label)} at {_seconds(moment)}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)
