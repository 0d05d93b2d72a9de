"""The true lower bound runs a subject on CPython's own threads with instant downloads."""

from __future__ import annotations

import threading

import pytest

from interlock.bench._instructions import _lower_bound_line
from interlock.bench._lower_bound import instant_fetch, run_without_scheduler
from interlock.models import DownloadFailed, Scenario, TaskSpec, UnknownURL, make_payload
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects


class TestInstantFetch:
    """What the fake downloader would hand back, at once."""

    def test_a_payload_a_failure_and_an_unknown_url(self):
        scenario = Scenario("s", (TaskSpec("a", duration=5.0), TaskSpec("b", fails=True)), 2)
        fetch = instant_fetch(scenario)
        assert fetch("a") == make_payload(0, "a", 64)
        with pytest.raises(DownloadFailed):
            fetch("b")
        with pytest.raises(UnknownURL):
            fetch("c")


class TestRunWithoutScheduler:
    """Real threads, nothing patched, every URL answered."""

    @pytest.mark.parametrize("name", ["article_queue", "executor_map", "end_marker_pool"])
    def test_one_result_per_url_and_no_thread_left(self, name):
        tiny = load_scenario("tiny")
        before = threading.active_count()
        results = run_without_scheduler(builtin_subjects()[name], tiny)
        expected = {make_payload(tiny.seed, url, tiny.task(url).size) for url in tiny.urls}
        assert set(results) == expected
        assert threading.active_count() == before

    def test_a_failure_comes_back_as_the_exception(self):
        scenario = Scenario("s", (TaskSpec("a"), TaskSpec("b", fails=True)), 2)
        results = run_without_scheduler(builtin_subjects()["executor_map"], scenario)
        assert results[0] == make_payload(0, "a", 64)
        assert isinstance(results[1], DownloadFailed)


def test_the_instructions_ratio_is_computed_from_the_two_counts():
    line = _lower_bound_line(3_000_000, 1_200_000)
    assert line.endswith(": 1,200,000; interlock end to end is 2.50 x it")
    assert _lower_bound_line(1.0, 0.0).endswith("no scheduler): 0")
