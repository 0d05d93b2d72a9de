"""A violation's scenario is shrunk before it is reported: fewer URLs, a lower limit
(unless the claim is about that limit), plain durations, no failures."""

from __future__ import annotations

from interlock.models import Budget, Scenario, TaskSpec
from interlock.replay import ReplayToken, trace_digest
from interlock.scenarios import load_scenario
from interlock.stages import shrink_scenario
from interlock.subjects import load_target
from interlock.verify import Verifier

BIG = Scenario(
    "big",
    tuple(TaskSpec(f"u{i}", 1.0 + i, fails=i % 3 == 0) for i in range(9)),
    limit=5,
)


def test_a_pure_predicate_shrinks_to_its_smallest_case():
    # "breaks" when at least 3 URLs run and some URL fails, at any limit.
    def breaks(s):
        return "hit" if len(s.tasks) >= 3 and any(t.fails for t in s.tasks) else None

    small, found = shrink_scenario(BIG, breaks, candidates=100)
    assert found == "hit"
    assert len(small.tasks) == 3 and small.limit == 1
    assert sum(t.fails for t in small.tasks) == 1  # no failure kept that is not needed
    assert all(t.duration == 1.0 for t in small.tasks)
    assert small.name == "big, shrunk"


def test_a_kept_limit_stays_and_nothing_smaller_means_the_scenario_as_it_was():
    def breaks(s):
        return "hit" if len(s.tasks) > s.limit else None

    small, _ = shrink_scenario(BIG, breaks, keep_limit=True, candidates=100)
    assert small.limit == 5 and len(small.tasks) == 6
    same, found = shrink_scenario(BIG, lambda s: None)
    assert same is BIG and found is None


def test_the_candidates_bound_the_cost():
    calls = []

    def breaks(s):
        calls.append(s)
        return "hit"

    shrink_scenario(BIG, breaks, candidates=5)
    assert len(calls) == 5


def test_verify_reports_the_shrunk_scenario_and_its_token_replays_the_same_trace():
    article = load_target("article_queue")
    verifier = Verifier(budget=Budget(runs=40, generated=0))
    report = verifier.verify(article, [load_scenario("limit_3")])
    record = report.records["max_in_flight"]
    # A claim about the chosen scenario's limit: 4 URLs at limit 3 is the least that shows it.
    assert record.scenario.limit == 3 and len(record.scenario.tasks) == 4
    assert all(t.duration == 1.0 and not t.fails for t in record.scenario.tasks)
    token = ReplayToken.decode(record.replay)
    again = verifier.replay(article, token.load_scenario(), token.decisions)
    assert trace_digest(again.trace.render()) == token.digest


def sleeps_for_ever_if_first(urls, fetch, limit):
    import threading
    import time

    started = []
    t = threading.Thread(target=started.append, args=(1,))
    t.start()
    if not started:  # the starter went on first: it waits for ever (virtual time)
        while True:
            time.sleep(1)
    t.join()
    return [fetch(u) for u in urls]


def test_exhaustive_search_is_not_complete_when_a_budget_cut_runs_short():
    from tests.kit import subject

    verifier = Verifier(strategy="exhaustive", budget=Budget(runs=200, generated=0))
    report = verifier.verify(subject(sleeps_for_ever_if_first), [load_scenario("single")])
    assert "terminates" in report.broken()
    (coverage,) = [n for n in report.notes if n.startswith("single:")]
    assert "explored all" not in coverage
    assert "stopped by a budget before they ended" in coverage


def test_the_story_told_is_of_the_shrunk_run():
    article = load_target("article_queue")
    report = Verifier(budget=Budget(runs=40, generated=0)).verify(article, ["limit_3"])
    record = report.records["max_in_flight"]
    story = report.stories["max_in_flight"]
    started = [s.what for s in story.steps if s.kind == "start"]
    assert started == [e.url for e in record.trace.events if e.kind == "start"]
    assert len(started) == len(record.scenario.tasks) == 4  # the shrunk scenario's URLs
