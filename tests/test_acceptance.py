"""What the controlled scheduler must do, on every seed, within the default budget."""

from __future__ import annotations

import pytest

from interlock.checkers import check_all
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.strategies import make_strategy
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects
from interlock.verify import Verifier

SUBJECTS = builtin_subjects()
SEEDS = range(20)

pytestmark = pytest.mark.slow


@pytest.mark.timeout(600)
def test_article_queue_shows_five_in_flight_on_every_seed():
    for seed in SEEDS:
        report = Verifier(seed=seed).verify(SUBJECTS["article_queue"], [load_scenario("tiny")])
        verdict = next(v for v in report.verdicts if v.invariant == "max_in_flight")
        assert not verdict.holds, seed
        assert verdict.message.startswith("5 downloads in flight"), (seed, verdict.message)


@pytest.mark.timeout(600)
def test_empty_check_pool_race_and_deadlock_on_every_seed():
    subject = SUBJECTS["empty_check_pool"]
    for seed in SEEDS:
        verifier = Verifier(seed=seed)
        race = verifier.verify(subject, [load_scenario("tiny")])
        assert "clean_shutdown" in race.broken(), seed
        shutdown = next(v for v in race.verdicts if v.invariant == "clean_shutdown")
        assert "blocked forever in Queue.get" in shutdown.message, shutdown.message
        failing = verifier.verify(subject, [load_scenario("all_fail")])
        assert "no_deadlock" in failing.broken(), seed


@pytest.mark.timeout(900)
def test_minus_two_is_unbounded_at_small_limits_from_generated_scenarios_on_every_seed():
    subject = SUBJECTS["article_queue_minus_two"]
    for seed in SEEDS:
        report = Verifier(seed=seed).verify(subject, [], generate=True)
        verdict = next(v for v in report.verdicts if v.invariant == "max_in_flight")
        assert not verdict.holds, seed
        assert "limit is 1" in verdict.message or "limit is 2" in verdict.message, verdict.message


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", ["article_semaphore", "end_marker_pool", "executor_map"])
def test_no_false_alarm_across_10000_schedules(name):
    subject = SUBJECTS[name]
    runtime = ControlledRuntime()
    scenarios = [
        load_scenario(n)
        for n in ("tiny", "all_fail", "limit_1", "limit_2", "limit_3", "zero_duration")
    ]
    with runtime.session():
        for i in range(10_000):
            scenario = scenarios[i % len(scenarios)]
            strategy = make_strategy("pct" if i % 2 else "random", i)
            strategy.new_execution()
            record = runtime.run(subject, scenario, strategy)
            broken = [v for v in check_all(record) if not v.holds and not v.advisory]
            assert not broken, (i, scenario.name, broken)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("urls", [10_000, 100_000])
def test_a_correct_pool_stays_correct_at_scale(urls):
    """The step budget grows with the scenario, interlock's own work (classifying
    100,000 results) is not counted as the subject's, and nothing is quadratic."""
    from interlock.models import Scenario, TaskSpec

    scale = Scenario(
        "scale", tuple(TaskSpec(f"u{i}", duration=1.0 + i % 8) for i in range(urls)), limit=8
    )
    runtime = ControlledRuntime()
    strategy = make_strategy("random", 1)
    strategy.new_execution()
    with runtime.session():
        record = runtime.run(SUBJECTS["executor_map"], scale, strategy)
    broken = [v.message for v in check_all(record) if not v.holds]
    assert record.returned and not broken, (record.outcome, broken)


@pytest.mark.timeout(600)
def test_the_demo_proves_the_fix_on_the_articles_own_scenario():
    # The fix beside the bug: every schedule without a preemption (each order of the
    # dependent steps) of 5 URLs at limit 4 keeps article_semaphore at 4 in flight,
    # and the same search, on the article's code, breaks the limit.
    from interlock.demo import demo_scenario, prove
    from interlock.subjects import load_target

    scenario = demo_scenario(SUBJECTS["article_queue"], "max_in_flight", 4)
    fixed = prove(load_target("article_semaphore"), scenario, "max_in_flight", seconds=300)
    assert fixed.complete and fixed.broken is None and fixed.worst == 4, fixed.describe()
    assert fixed.describe().startswith(
        f"article_semaphore: explored all {fixed.schedules} schedules without a preemption"
    )
    broken = prove(load_target("article_queue"), scenario, "max_in_flight", seconds=300)
    assert broken.broken and broken.broken.startswith("5 downloads in flight"), broken.broken
