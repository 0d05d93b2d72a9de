"""A time budget bounds the answer, not only the number of runs: a run still going on
when the budget ends is cut at its next scheduling point and never judged.

The subject here is correct and never spins (every one of its steps reaches a
scheduling point), but each step does a few milliseconds of real work, so one run of
it takes many seconds of real time. Before the cut, the budget was only read between
runs: verify with a one-second budget took a whole run (here about 10 s; a stale-slot
limiter of the fidelity corpus took 69 s on a budget of 8 s).
"""

from __future__ import annotations

import math
import threading
import time

import pytest

from interlock import explore
from interlock.models import Budget, Stop
from interlock.runtime import OutOfTime
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.controlled._engine import Engine
from interlock.runtime.strategies import make_strategy
from interlock.scenarios import load_scenario
from interlock.verify import Verifier
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

REAL_PERF = time.perf_counter  # taken at import, before any run patches it
ROUNDS = 4000  # lock round trips per worker: with WORK each, seconds of real time a run


def _work() -> int:
    return sum(range(20_000))  # about a millisecond of CPU: real work, not a spin


def slow_but_correct(urls, fetch, limit):
    """A correct pool (at most ``limit`` downloads at once, each URL once) whose workers
    first do ROUNDS rounds of real work, taking a lock around each."""
    lock = threading.Lock()
    todo = list(range(len(urls)))
    results = [None] * len(urls)

    def worker():
        for _ in range(ROUNDS):
            with lock:
                _work()
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            try:
                results[i] = fetch(urls[i])
            except OSError as exc:
                results[i] = exc

    threads = [threading.Thread(target=worker) for _ in range(min(limit, len(urls)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _strategy():
    strategy = make_strategy("random", 0)
    strategy.new_execution()
    return strategy


def test_the_engine_cuts_a_run_at_its_deadline():
    def busy_steps():
        lock = threading.Lock()
        for _ in range(ROUNDS * 4):
            with lock:
                _work()

    started = REAL_PERF()
    ex = Engine().run(busy_steps, strategy=_strategy(), deadline=started + 0.3)
    took = REAL_PERF() - started
    assert ex.stop == Stop.CUT
    assert not ex.main_done
    assert took < 5.0  # about 0.35 s; the whole run would take well over 10 s


def test_a_run_without_a_deadline_is_not_cut():
    def few_steps():
        lock = threading.Lock()
        for _ in range(50):
            with lock:
                _work()
        return "done"

    ex = Engine().run(few_steps, strategy=_strategy(), deadline=math.inf)
    assert ex.stop == Stop.ENDED
    assert ex.result == "done"


def test_a_cut_run_raises_out_of_time_and_the_next_deadline_is_honoured():
    runtime = ControlledRuntime()
    tiny = load_scenario("tiny")
    with runtime.session():
        runtime.set_deadline(REAL_PERF() + 0.3)
        with pytest.raises(OutOfTime):
            runtime.run(subject(slow_but_correct), tiny, _strategy())
        # A deadline long past at the watchdog's last tick does not cut a run made
        # after a new one was set.
        runtime.set_deadline(math.inf)
        record = runtime.run(
            subject(slow_but_correct, name="fast"), load_scenario("empty"), _strategy()
        )
    assert record.outcome == Stop.RETURNED


def test_verify_answers_within_its_budget_and_judges_no_cut_run():
    started = time.monotonic()
    report = Verifier(budget=Budget(runs=5, generated=0, seconds=1.0)).verify(
        subject(slow_but_correct), ["tiny"]
    )
    took = time.monotonic() - started
    assert took < 6.0  # about 1 s: one run alone takes about 10 s
    assert all(v.holds for v in report.verdicts), [v.message for v in report.verdicts]
    assert any("while exploring tiny" in note for note in report.notes), report.notes


def test_explore_answers_within_its_time_budget():
    def scenario():
        slow_but_correct(["u1", "u2"], lambda url: url, 2)

    started = time.monotonic()
    result = explore(scenario, runs=5, time_budget=1.0)
    took = time.monotonic() - started
    assert result.ok
    assert took < 6.0


def test_a_budget_no_run_ends_within_judges_nothing():
    # Cut before any run ended, verify has no evidence at all: it says so, not "held".
    report = Verifier(budget=Budget(runs=5, generated=0, seconds=0.3)).verify(
        subject(slow_but_correct), ["tiny"]
    )
    assert report.runs == 0
    assert report.unsupported is not None
    assert "no run ended within the time budget" in report.unsupported
    assert all(v.message.startswith("not judged") for v in report.verdicts)


def test_minimising_cut_by_the_deadline_keeps_a_failing_run_and_says_so():
    from interlock.checkers import check_all
    from interlock.runtime.strategies import BASELINE
    from interlock.stages import minimise
    from interlock.subjects import builtin_subjects

    runtime = ControlledRuntime()
    article_queue = builtin_subjects()["article_queue"]
    tiny = load_scenario("tiny")
    with runtime.session():
        for seed in range(50):
            strategy = make_strategy("random", seed)
            strategy.new_execution()
            found = runtime.run(article_queue, tiny, strategy)
            if not check_all(found, ["max_in_flight"])[0].holds:
                break
        else:
            pytest.fail("no run of article_queue broke max_in_flight")
        calls = []

        def run_prefix(decisions):
            calls.append(len(decisions))
            if len(calls) > 1:
                raise OutOfTime("deadline")
            return runtime.replay(article_queue, tiny, decisions, then=BASELINE)

        def replay(decisions):
            raise OutOfTime("deadline")

        minimal = minimise(found, "max_in_flight", run_prefix, replay)
    assert minimal.cut
    assert minimal.deterministic is None  # not claimed either way
    assert not minimal.verdict.holds
    assert "NONDETERMINISTIC" not in minimal.verdict.message
    assert len(minimal.record.decisions) <= len(found.decisions)
    assert len(calls) > 2  # the bisection went on, each cut attempt counted as not failing
