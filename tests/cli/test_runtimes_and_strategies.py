"""verify under the other strategies and the real-threads runtime, through the CLI."""

from __future__ import annotations

import json
import re

import pytest

from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(300)


def test_exhaustive_says_what_it_covered(capsys):
    code, out, _ = run(
        capsys,
        "verify",
        "executor_map",
        "--strategy",
        "exhaustive:0",
        "--scenario",
        "empty",
        "--runs",
        "50",
    )
    assert code == 0
    assert re.search(
        r"note: empty: explored all \d+ schedules of exhaustive\(preemptions<=0\)", out
    )


def test_exhaustive_finds_the_race_on_one_url(capsys):
    code, out, _ = run(
        capsys,
        "verify",
        "empty_check_pool",
        "--strategy",
        "exhaustive:1",
        "--scenario",
        "single",
        "--runs",
        "400",
    )
    assert code == 1
    assert "FAIL clean_shutdown" in out and "blocked forever in Queue.get" in out


def test_real_threads_show_the_unbounded_queue(capsys):
    # At limit 1 the article's Queue(0) has no bound: every download starts at once,
    # which real threads show on every run (tiny's limit + 1 race they show on most).
    argv = ["verify", "article_queue", "--runtime", "threads", "--scenario", "limit_1"]
    code, out, _ = run(capsys, *argv, "--runs", "1", "--json")
    assert code == 1
    target = json.loads(out)["targets"][0]
    assert target["runtime"] == "threads"
    verdict = next(v for v in target["verdicts"] if v["invariant"] == "max_in_flight")
    assert verdict["holds"] is False and verdict["message"].endswith("limit is 1")
    assert verdict["replay"] is None  # real threads cannot be replayed


@pytest.mark.parametrize("strategy", ["random", "pct:2"])
def test_single_strategies(capsys, strategy):
    code, out, _ = run(
        capsys,
        "verify",
        "article_queue",
        "--strategy",
        strategy,
        "--scenario",
        "tiny",
        "--runs",
        "60",
    )
    assert code == 1
    assert "FAIL max_in_flight: 5 downloads in flight" in out


def test_timeline_for_a_deadlock_names_the_cause(capsys):
    code, out, _ = run(
        capsys, "verify", "empty_check_pool", "--scenario", "all_fail", "--runs", "5", "--timeline"
    )
    assert code == 1
    assert "diagnosis:" in out and "no live thread can call task_done()" in out
