"""The subject contract at its edges: ``download_all`` must return one item per URL."""

from __future__ import annotations

import threading

import pytest

from interlock.models import Scenario, TaskSpec, Trace
from interlock.models.events import Event
from interlock.models.record import RAISED, RETURNED
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.strategies import RandomStrategy
from interlock.runtime.threads import ThreadsRuntime
from tests.kit import subject

ONE = Scenario("one", [TaskSpec("u0", duration=1.0)], limit=1)  # a list: kept as a tuple


def returns_none(urls, fetch, limit):
    for url in urls:
        fetch(url)


def test_a_scenario_keeps_its_tasks_as_a_tuple():
    assert ONE.tasks == (TaskSpec("u0", duration=1.0),)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("runtime", [ControlledRuntime(), ThreadsRuntime()], ids=lambda r: r.name)
def test_returning_none_is_a_crash_that_says_what_is_expected(runtime):
    (record, _, _) = next(iter(runtime.trials(subject(returns_none), ONE, 1, key="one")))
    assert record.outcome == RAISED
    assert not record.returned
    assert (record.crash.type, record.crash.message) == (
        "TypeError",
        "download_all returned None; it must return one item per URL",
    )
    assert [(e.kind, e.url) for e in record.trace] == [("start", "u0"), ("finish", "u0")]


@pytest.mark.timeout(30)
def test_a_subject_that_returns_is_returned():
    strategy = RandomStrategy(0, clock_bias=None)
    strategy.new_execution()
    record = ControlledRuntime().run(subject(lambda urls, fetch, limit: []), ONE, strategy)
    assert record.outcome == RETURNED and record.returned
    assert record.results == ()


def test_the_default_strategy_repeats_itself_per_seed():
    from interlock.runtime.controlled import run_controlled_ex

    def two_threads():
        order = []
        workers = [threading.Thread(target=order.append, args=(i,)) for i in range(3)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return order

    runs = {seed: run_controlled_ex(two_threads, seed=seed) for seed in range(8)}
    again = {seed: run_controlled_ex(two_threads, seed=seed) for seed in range(8)}
    assert all(runs[s].execution.decisions == again[s].execution.decisions for s in runs)
    assert len({r.execution.decisions for r in runs.values()}) > 1


def ev(seq, kind, url, t):
    return Event(seq, kind, url, "T", t)


class TestTraceEdges:
    """Odd traces: the same URL twice at once, a stray end, an unknown URL."""

    TRACE = Trace(
        [
            ev(0, "start", "a", 0.0),
            ev(1, "start", "a", 0.0),  # the same URL, twice at once
            ev(2, "unknown", "z", 0.5),  # not a start or an end
            ev(3, "finish", "a", 1.0),
            ev(4, "finish", "q", 1.0),  # a stray end: q never started
            ev(5, "start", "b", 1.0),
            ev(6, "start", "c", 2.0),
        ]
    )

    def test_the_peak_counts_a_duplicate_and_ignores_a_stray_end(self):
        peak = self.TRACE.max_in_flight()
        assert (peak.count, peak.time, peak.seq, peak.urls) == (3, 2.0, 6, ("a", "b", "c"))

    def test_in_flight_has_a_count_per_event(self):
        # The unknown URL changes nothing; the stray end of q closes nothing.
        assert self.TRACE.in_flight_counts() == (1, 2, 2, 1, 1, 2, 3)
