"""``interlock demo``: the article's broken promise in one screen, in every format,
with the fix beside it."""

from __future__ import annotations

import json
import re

from interlock.demo import prove
from interlock.models import Scenario, TaskSpec
from interlock.subjects import load_target
from tests.kit import run_cli


def test_the_article_demo_shows_five_in_flight_at_limit_four_and_the_fix(capsys):
    code, out, err = run_cli(capsys, "demo", "--proof-seconds", "1")
    assert code == 0, err
    assert 'the claim is "never more than 4 downloads in flight at once"' in out
    assert "scenario: 5_at_limit_4: 5 URLs, limit 4, 0 failing" in out
    assert "^ 5 in flight at t=0.000s, limit 4" in out
    assert "where every thread was at t=0.000s, when the limit broke:" in out
    assert re.search(
        r"Thread-2 \(consumer\) +Thread\.join: waits for Thread-\d+ to end at article_queue\.py:\d+",
        out,
    )
    assert "starts downloading u4: the 5th in flight" in out
    assert "replay: interlock replay il1." in out
    fix = out.split("the fix beside the bug, on the same scenario:")[1]
    assert re.search(
        r"article_semaphore: explored (all )?\d+ schedules without a preemption "
        r"\(each order of dependent steps once\)",
        fix,
    )
    assert "never more than 4 in flight" in fix


def test_every_format_finds_the_moment_of_five_in_flight(capsys):
    for chosen, mark in (
        ("markdown", "5 in flight (limit 4)"),
        ("html", "5 in flight (limit 4)"),
        ("explain", "<-- 5 in flight, limit 4"),
    ):
        code, out, _ = run_cli(capsys, "demo", "--format", chosen)
        assert code == 0 and mark in out, chosen
    code, out, _ = run_cli(capsys, "demo", "--format", "json")
    data = json.loads(out)["targets"][0]
    (broken,) = [v for v in data["verdicts"] if not v["holds"]]
    assert broken["invariant"] == "max_in_flight" and "limit is 4" in broken["message"]
    (view,) = data["violations"]
    assert view["violation"]["in_flight"] == 5 and view["scenario"]["limit"] == 4
    assert sum(d["in_flight_at_violation"] for d in view["downloads"]) == 5
    assert any(t["state"].endswith("the 5th in flight") for t in view["threads"])


def test_a_subject_breaking_the_limit_only_elsewhere_is_shown_where_it_breaks(capsys):
    code, out, _ = run_cli(capsys, "demo", "article_queue_minus_two", "--proof-seconds", "1")
    assert code == 0
    assert re.search(r"limit is [12]\b", out)


def test_other_subjects_show_their_first_declared_break(capsys):
    code, out, _ = run_cli(capsys, "demo", "end_marker_pool_as_posted", "--proof-seconds", "1")
    assert code == 0
    assert "end_marker_pool_as_posted breaks no_crash" in out
    assert "thread.__init__() not called" in out
    assert "end_marker_pool: explored" in out


def test_a_subject_with_nothing_to_show_is_one_line_and_exit_2(capsys):
    code, out, err = run_cli(capsys, "demo", "executor_map")
    assert code == 2 and out == ""
    assert err.strip() == (
        "interlock: error: executor_map declares no break (BREAKS): there is nothing to demonstrate"
    )


def test_a_search_that_finishes_says_it_explored_all_schedules():
    scenario = Scenario("two", (TaskSpec("u0", 1.0), TaskSpec("u1", 1.0)), 1)
    proof = prove(load_target("article_semaphore"), scenario, "max_in_flight", bound=0)
    assert proof.complete and proof.broken is None and proof.worst == 1
    assert proof.describe().startswith(
        f"article_semaphore: explored all {proof.schedules} schedules"
    )
    broken = prove(load_target("article_queue"), scenario, "max_in_flight", bound=1)
    assert broken.broken and "limit is 1" in broken.broken
