"""Rendering is pure: reports and records in, text out."""

from __future__ import annotations

import json

from interlock.models import Event, RunRecord, Scenario, TaskSpec, Trace, Verdict
from interlock.reports import render_details, render_json, render_table, render_timeline
from interlock.subjects import Subject
from interlock.verify import SubjectReport

SCENARIO = Scenario("toy", tuple(TaskSpec(f"u{i}", 2) for i in range(3)), 2)


def subject(name):
    return Subject(name=name, download_all=lambda urls, fetch, limit: [], target=name)


def report(name, *verdicts, records=None):
    return SubjectReport(
        subject(name),
        "controlled",
        list(verdicts),
        runs=12,
        scenarios=1,
        wall_time=0.25,
        records=records or {},
    )


def record(events):
    return RunRecord("toy_pool", SCENARIO, "controlled", Trace(events), "returned")


PEAK = [
    Event(0, "start", "u0", "Thread-1", 0.0),
    Event(1, "start", "u1", "Thread-2", 0.0),
    Event(2, "start", "u2", "Thread-3", 1.0),
    Event(3, "finish", "u0", "Thread-1", 2.0),
]
BROKEN = Verdict(
    "max_in_flight",
    False,
    "3 downloads in flight at t=1.000s (u0 u1 u2); limit is 2",
    scenario="toy",
    replay="il1.abc",
)


class TestTable:
    """Subjects by invariants, with the legend beneath."""

    def test_table(self):
        ok = report(
            "good",
            Verdict("max_in_flight", True, "held"),
            Verdict("work_conserving", True, "held", advisory=True),
        )
        bad = report(
            "bad_pool",
            BROKEN,
            Verdict("work_conserving", False, "idle", advisory=True),
        )
        assert render_table([ok, bad]).splitlines() == [
            "subject   in-flight  conserving",
            "good      pass       pass",
            "bad_pool  FAIL       warn",
            "",
            "columns: in-flight = max_in_flight, conserving = work_conserving",
        ]
        assert render_table([]) == "no subjects"

    def test_details(self):
        text = render_details(
            [report("bad_pool", BROKEN), report("good", Verdict("max_in_flight", True, "held"))]
        )
        assert text.splitlines() == [
            "bad_pool (controlled: 12 runs, 1 named scenarios, 0.2s)",
            "  FAIL max_in_flight: 3 downloads in flight at t=1.000s (u0 u1 u2); limit is 2 [scenario toy]",
            "       replay: interlock replay il1.abc",
            "good (controlled: 12 runs, 1 named scenarios, 0.2s)",
            "  every invariant held",
        ]

    def test_json(self):
        data = json.loads(render_json([report("bad_pool", BROKEN)]))
        assert data["targets"][0]["target"] == "bad_pool"
        assert data["targets"][0]["ok"] is False
        assert data["targets"][0]["verdicts"][0] == {
            "invariant": "max_in_flight",
            "holds": False,
            "advisory": False,
            "message": "3 downloads in flight at t=1.000s (u0 u1 u2); limit is 2",
            "scenario": "toy",
            "replay": "il1.abc",
            "evidence": [],
        }


class TestTimeline:
    """A timeline stops at the peak and marks it."""

    def test_cut_at_the_peak(self):
        text = render_timeline(record(PEAK), BROKEN)
        assert text.splitlines() == [
            "timeline of toy_pool on toy: 3 URLs, limit 2, 0 failing (controlled)",
            "  t=   0.000s  Thread-1  start   u0   in flight: 1",
            "  t=   0.000s  Thread-2  start   u1   in flight: 2",
            "  t=   1.000s  Thread-3  start   u2   in flight: 3   <-- 3 in flight, limit is 2",
            "",
            "FAIL max_in_flight: 3 downloads in flight at t=1.000s (u0 u1 u2); limit is 2",
        ]

    def test_long_traces_are_elided_with_a_correct_count(self):
        events = []
        for i in range(30):
            events += [
                Event(2 * i, "start", f"u{i}", "T", i),
                Event(2 * i + 1, "finish", f"u{i}", "T", i + 0.5),
            ]
        scenario = Scenario("long", tuple(TaskSpec(f"u{i}") for i in range(30)), 1)
        text = render_timeline(
            RunRecord("p", scenario, "threads", Trace(events), "returned"), context=4
        )
        lines = text.splitlines()
        assert lines[1] == "  ... 56 earlier events"
        assert lines[2].endswith("start   u28  in flight: 1")
        assert lines[-1].endswith("finish  u29  in flight: 0")
