"""The dpor search: what it explores is what exhaustive search explores, in far fewer runs."""

from __future__ import annotations

import threading

import pytest

from interlock.checkers import check_all
from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import ControlledRuntime, _primitives
from interlock.runtime.controlled._engine import Engine
from interlock.runtime.strategies import DporStrategy, ExhaustiveStrategy, make_strategy
from interlock.subjects import load_target


def outcomes(subject, scenario, strategy) -> tuple[set, int]:
    """Every distinct trace (as text) with its verdicts, and the runs it took."""
    runtime = ControlledRuntime()
    seen = set()
    with runtime.session():
        while strategy.new_execution():
            record = runtime.run(subject, scenario, strategy)
            seen.add((record.trace.render(), tuple(v.holds for v in check_all(record))))
    return seen, strategy.explored


def scenario(count: int, limit: int, failing: str | None = None) -> Scenario:
    tasks = tuple(
        TaskSpec(f"u{i}", 1.0 + 0.5 * (i % 2), fails=f"u{i}" == failing) for i in range(count)
    )
    return Scenario("small", tasks, limit)


@pytest.mark.parametrize(
    ("name", "count", "limit", "bound", "failing"),
    [
        ("end_marker_pool", 3, 2, 1, None),
        ("end_marker_pool", 3, 2, 1, "u1"),
        ("empty_check_pool", 3, 2, 1, None),
        ("article_queue", 3, 2, 0, None),
        ("article_queue", 2, 2, 0, "u0"),
        ("article_queue_minus_two", 2, 2, 0, None),
    ],
)
def test_every_outcome_of_exhaustive_search_is_reached_in_fewer_runs(
    name, count, limit, bound, failing
):
    # The same trace, event by event, and the same verdicts: nothing exhaustive search
    # can see is lost by running one schedule per order of dependent steps.
    subject = load_target(name)
    chosen = scenario(count, limit, failing)
    everything, runs = outcomes(subject, chosen, ExhaustiveStrategy(preemption_bound=bound))
    reduced, fewer = outcomes(subject, chosen, DporStrategy(preemption_bound=bound))
    assert reduced == everything
    assert fewer < runs


def _explore(fn, strategy) -> list:
    engine = Engine()
    results = []
    with engine.session():
        while strategy.new_execution():
            results.append(engine.run(fn, strategy=strategy).result)
    return results


def _two_threads(shared_lock: bool):
    def main():
        order = []  # guarded by the lock each thread takes, when there is one lock
        locks = [threading.Lock()] * 2 if shared_lock else [threading.Lock(), threading.Lock()]
        own = {"a": [], "b": []}

        def work(name, lock):
            with lock:
                own[name].append(name)
                if shared_lock:
                    order.append(name)

        threads = [
            threading.Thread(target=work, args=(name, lock))
            for name, lock in zip("ab", locks, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return "".join(order) + "".join(own["a"] + own["b"])

    return main


def test_threads_on_different_locks_are_not_reordered_and_on_one_lock_both_orders_are_run():
    # Own locks, own data: no order of the two critical sections can matter. What is
    # left to order is the threads' starts and ends (thread ids, the start handshake).
    alone = DporStrategy()
    assert set(_explore(_two_threads(shared_lock=False), alone)) == {"ab"}
    everything = ExhaustiveStrategy(preemption_bound=None)
    assert set(_explore(_two_threads(shared_lock=False), everything)) == {"ab"}
    assert alone.complete and everything.complete
    assert alone.explored * 10 < everything.explored
    # One lock: who takes it first decides the order, and both orders are run.
    shared = DporStrategy()
    assert set(_explore(_two_threads(shared_lock=True), shared)) == {"abab", "baab"}
    exhaustive = ExhaustiveStrategy(preemption_bound=None)
    assert set(_explore(_two_threads(shared_lock=True), exhaustive)) == {"abab", "baab"}
    assert shared.complete and shared.explored < exhaustive.explored


def test_the_same_search_twice_makes_the_same_runs():
    first = DporStrategy(preemption_bound=1)
    second = DporStrategy(preemption_bound=1)
    subject = load_target("end_marker_pool")
    one, _ = outcomes(subject, scenario(3, 2), first)
    two, _ = outcomes(subject, scenario(3, 2), second)
    assert one == two
    assert (first.explored, first.redundant) == (second.explored, second.redundant)


def test_the_notes_are_taken_off_when_the_run_ends():
    # The wrappers that note what each step touches are for dpor's runs only: the next
    # run of any other strategy gets the engine and the primitives as they were.
    originals = {name: getattr(_primitives.Lock, name) for name in ("acquire", "release")}
    engine = Engine()
    strategy = DporStrategy()
    with engine.session():
        strategy.new_execution()
        engine.run(_two_threads(shared_lock=True), strategy=strategy)
    assert type(engine) is Engine
    assert not {"_schedule", "point", "block", "spawn"} & engine.__dict__.keys()
    assert {name: getattr(_primitives.Lock, name) for name in originals} == originals


def test_a_bound_limits_the_preemptions_and_names_itself():
    assert make_strategy("dpor", 0).preemption_bound is None
    strategy = make_strategy("dpor:1", 0)
    assert strategy.preemption_bound == 1
    assert strategy.describe() == "dpor(preemptions<=1)"
    assert strategy.label() == ("dpor:1", 0)
    with pytest.raises(ValueError, match="preemption_bound"):
        DporStrategy(preemption_bound=-1)


def test_a_race_is_reversed_and_a_run_that_reaches_other_choices_is_refused():
    from interlock.runtime.strategies import NondeterministicProgram
    from interlock.runtime.strategy import Step

    x = frozenset({"x"})
    strategy = DporStrategy()
    steps: list = []
    strategy.watch(steps)
    assert strategy.new_execution()
    assert strategy.next_thread((1, 2), 1) == 1  # thread 1 goes on
    steps += [Step(1, x, x), Step(2, x, x)]  # then both touch x: a race
    assert strategy.new_execution()  # so thread 2 goes first in the next run
    steps.clear()
    assert strategy.next_thread((1, 2), 1) == 2
    steps += [Step(2, x, x), Step(1, x, x)]
    assert not strategy.new_execution() and strategy.complete  # both orders done
    again = DporStrategy()
    again.watch(steps := [])
    again.new_execution()
    again.next_thread((1, 2), 1)
    steps += [Step(1, x, x), Step(2, x, x)]
    again.new_execution()
    with pytest.raises(NondeterministicProgram, match="runnable"):
        again.next_thread((1, 3), 1)  # the same decisions, another choice point
