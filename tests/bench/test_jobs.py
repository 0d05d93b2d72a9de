"""The --jobs section: how verify's times are read and what speed-up a split allows."""

from __future__ import annotations

import pytest

from interlock.bench import _jobs
from interlock.bench._jobs import JobsTiming, allowed_speedup, list_makespan, parse_subject_seconds

TABLE = """\
article_queue (controlled: 4832 runs, 15 named scenarios, 3.9s)
  max_in_flight   FAIL  ...
executor_map (controlled: 3557 runs, 15 named scenarios, 2.5s)
  every line (of the report) that is not a subject's head is ignored (1.0s)
"""


class TestParseSubjectSeconds:
    """Each subject's head line in verify's table gives its own seconds."""

    def test_every_subject_in_order(self):
        assert parse_subject_seconds(TABLE) == (("article_queue", 3.9), ("executor_map", 2.5))

    def test_nothing_to_read(self):
        assert parse_subject_seconds("") == ()


class TestListMakespan:
    """Jobs handed out in order, each to the first free worker."""

    def test_two_workers(self):
        assert list_makespan([4.0, 1.0, 1.0, 1.0, 3.0], 2) == pytest.approx(6.0)

    def test_one_worker_is_the_sum(self):
        assert list_makespan([1.0, 2.0, 3.0], 1) == pytest.approx(6.0)


def test_allowed_speedup_is_the_work_over_the_makespan():
    timings = [JobsTiming(1, 9.0, (("a", 4.0), ("b", 2.0), ("c", 2.0))) for _ in range(3)]
    assert allowed_speedup(timings) == pytest.approx(8.0 / 4.0)
    assert allowed_speedup([JobsTiming(1, 1.0, ())]) is None


def test_measure_alternates_which_count_goes_first(monkeypatch):
    order = []

    def fake(jobs, budget):
        order.append(jobs)
        return JobsTiming(jobs, 10.0 / jobs, (("a", 1.0),))

    monkeypatch.setattr(_jobs, "time_verify", fake)
    one, two = _jobs.measure(3, ("--runs", "1"))
    assert order == [1, 2, 2, 1, 1, 2]
    assert _jobs.median_seconds(one) / _jobs.median_seconds(two) == pytest.approx(2.0)


@pytest.mark.timeout(300)
def test_time_verify_runs_a_fresh_process_and_reads_its_table():
    timing = _jobs.time_verify(2, ("--runs", "2", "--generated", "0", "--time-budget", "600"))
    assert timing.jobs == 2 and timing.seconds > 0
    names = [name for name, _ in timing.subjects]
    assert "article_queue" in names and "executor_map" in names
    assert all(seconds >= 0 for _, seconds in timing.subjects)
