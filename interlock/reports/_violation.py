"""One violation as every drawing format reads it: ``violation_view`` makes a plain dict.

The JSON format prints these dicts as they are; the timeline, explanation,
Markdown and HTML formats draw them. So each format shows the same facts, and
whatever one of them draws, the JSON carries:

``{"subject", "invariant", "claim", "scenario": {"name", "limit", "tasks": [...]},
"violation": {"message", "at", "in_flight", "seq"}, "outcome", "diagnosis", "crash", "threads": [{"name", "state",
"where", "alive", "next"}], "downloads": [{"url", "thread", "start", "end", "ok", "in_flight_at_violation"}],
"steps": [{"n", "time", "thread", "kind", "what", "where", "in_flight", "text"}],
"replay", "runtime"}``

``threads`` is where every thread was (and, for a moment in the run, what each
does next) at the moment of the violation: at the
download event that broke the limit for ``max_in_flight``, when
``download_all`` returned for what its results show, and at the end for a
deadlock or a run that did not end. ``steps`` is empty where the runtime could
not tell the story (real threads).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from ..models import RunRecord, Story, SubjectReport, ThreadState, Verdict
from ..models.invariants import INVARIANTS

__all__ = ["iter_violations", "violation_view"]

# Waits that are the fake download's own sleep: the download's bar shows them.
_DOWNLOAD_WAIT = "FakeDownloader.fetch"
# Waits a reader does not follow: the download's sleep (its bar), the hand-over of a
# Thread.start (the "starts thread" step).
_QUIET_WAITS = (_DOWNLOAD_WAIT, "Thread.start")


def iter_violations(reports: Sequence[SubjectReport]) -> Iterator[dict]:
    """The view of every broken invariant that has a record, in table order."""
    for report in reports:
        for verdict in report.verdicts:
            record = report.records.get(verdict.invariant)
            if record is None or verdict.holds:
                continue
            yield violation_view(report, verdict, record, report.stories.get(verdict.invariant))


def _claim(invariant: str, limit: int) -> str:
    info = INVARIANTS.get(invariant)
    text = info.summary if info is not None else invariant
    return text.replace("`limit`", str(limit))


def violation_view(
    report: SubjectReport, verdict: Verdict, record: RunRecord, story: Story | None
) -> dict:
    scenario = record.scenario
    trace = record.trace
    peak = trace.max_in_flight() if trace.events else None
    at_seq = None
    at_time = record.virtual_time
    in_flight = peak.count if peak is not None else 0
    if verdict.invariant == "max_in_flight" and peak is not None:
        at_seq, at_time = peak.seq, peak.time
    threads = _moment(record, story, at_seq)
    flying = set(peak.urls) if at_seq is not None else set()
    steps = _steps(story)
    intervals = trace.intervals()
    downloads = [
        {
            "url": i.url,
            "thread": i.thread,
            "start": i.start,
            "end": i.end,
            "ok": i.ok,
            "in_flight_at_violation": i.url in flying,
        }
        for i in intervals
    ]
    words = _Moment(intervals, steps, at_seq)
    return {
        "subject": report.subject.name,
        "target": report.subject.target,
        "runtime": record.runtime,
        "invariant": verdict.invariant,
        "claim": _claim(verdict.invariant, scenario.limit),
        "scenario": {
            "name": scenario.name,
            "description": scenario.describe(),
            "limit": scenario.limit,
            "tasks": [
                {"url": t.url, "duration": t.duration, "fails": t.fails} for t in scenario.tasks
            ],
        },
        "violation": {
            "message": verdict.message,
            "at": at_time,
            "in_flight": in_flight,
            "seq": at_seq,
        },
        "outcome": str(record.outcome),
        "diagnosis": record.diagnosis,
        "crash": None
        if record.crash is None
        else {
            "type": record.crash.type,
            "message": record.crash.message,
            "thread": record.crash.thread,
            "where": record.crash.where,
        },
        "end": record.virtual_time,
        "threads": [
            {
                "name": t.name,
                "state": words.state(t),
                "where": t.where,
                "alive": t.alive,
                "next": words.next_of(t.name) if t.alive else None,
            }
            for t in threads
        ],
        "downloads": downloads,
        "steps": steps,
        "replay": verdict.replay or record.replay,
    }


def _moment(record: RunRecord, story: Story | None, seq: int | None) -> tuple[ThreadState, ...]:
    if seq is not None and story is not None and story.threads_at(seq):
        return story.threads_at(seq)
    if record.blocked:
        return record.blocked
    if record.returned and record.threads_at_return:
        return record.threads_at_return
    return record.threads_at_end or record.threads_at_return


class _Moment:
    """Every thread's state in words at the moment ``seq`` (a download event; None: the
    end of the run), read once from the trace's intervals and the told steps."""

    def __init__(self, intervals, steps: list[dict], seq: int | None) -> None:
        # The download each thread holds then (the trace pairs starts and ends by seq).
        self.holding = {}
        for i in intervals:
            if seq is None:
                open_then = i.end_seq is None
            else:
                open_then = i.start_seq <= seq and (i.end_seq is None or i.end_seq > seq)
            if open_then:
                self.holding[i.thread] = i
        self.moment = None  # the step that is the moment
        self.next: dict[str, str] = {}  # thread -> what it does first after it
        for step in steps:
            if self.moment is None:
                if seq is not None and step["seq"] == seq:
                    self.moment = step
                continue
            name = step["thread"]
            if step["kind"] != "wake" and name not in self.next:
                self.next[name] = step["text"][len(name) + 1 :]

    def next_of(self, name: str) -> str | None:
        return self.next.get(name)

    def state(self, t: ThreadState) -> str:
        """The thread's state in words: the download it holds, the wait it is in, or for
        the thread whose event is the moment, that event."""
        if not t.alive:
            return "finished"
        step = self.moment
        if step is not None and step["thread"] == t.name:
            return f"starts downloading {step['what']}: the {_nth(step['in_flight'])} in flight"
        wait = t.waiting_on
        if wait is not None and wait.startswith(_DOWNLOAD_WAIT):
            held = self.holding.get(t.name.split(" (")[0])  # the trace names the bare thread
            if held is not None:
                return f"downloading {held.url} (since t={held.start:.3f}s)"
            return "downloading (" + wait.split(": ", 1)[-1] + ")"
        if wait is not None:
            return wait
        if t.where == "(not started yet)":
            return "not started"
        return "running"


def _steps(story: Story | None) -> list[dict]:
    if story is None:
        return []
    out = []
    for step in story.steps:
        if step.kind in ("block", "wake") and step.what.startswith(_QUIET_WAITS):
            continue  # a download's own sleep, a start's hand-over: other steps say it
        what = step.what.split(": ")[0] if step.kind == "wake" else step.what
        text = step.describe() if step.kind != "wake" else step.describe().replace(step.what, what)
        out.append(
            {
                "n": len(out) + 1,
                "time": step.time,
                "thread": step.thread,
                "kind": step.kind,
                "what": what,
                "where": step.where,
                "in_flight": step.in_flight,
                "seq": step.seq,
                "text": text,
            }
        )
    return out


def _nth(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
