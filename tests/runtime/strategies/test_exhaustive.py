"""Bounded exhaustive search, checked against schedules counted by hand and by brute force."""

from __future__ import annotations

from math import comb, factorial

import pytest

from interlock.runtime.strategies import ExhaustiveStrategy, NondeterministicProgram
from interlock.runtime.strategies._toy import ToyProgram
from interlock.runtime.strategy import CLOCK

# Two threads taking one toy lock around two steps each, plus a free step.
LOCKED = ToyProgram.of(["+m", "a", "-m", "x"], ["+m", "b", "-m"])
# Lock-order inversion: some schedules deadlock.
INVERSION = ToyProgram.of(["+p", "+q", "-q", "-p"], ["+q", "+p", "-p", "-q"])
# One thread sleeps, so CLOCK is offered while the other can run.
SLEEPER = ToyProgram.of(["a", "z", "b"], ["c", "d"])


def explore(program: ToyProgram, strategy: ExhaustiveStrategy, limit: int = 100_000):
    runs = []
    while strategy.new_execution():
        runs.append(program.run(strategy))
        assert len(runs) <= limit, "search does not stop"
    return runs


class _Probe:
    """Follows a fixed prefix, then always takes the first choice, recording every offer."""

    name = "probe"

    def __init__(self, prefix):
        self.prefix = prefix
        self.offers = []

    def new_execution(self):
        return True

    def next_thread(self, runnable, current):
        i = len(self.offers)
        self.offers.append((tuple(runnable), current))
        return self.prefix[i] if i < len(self.prefix) else runnable[0]

    def describe(self):
        return "probe"


def brute_force(program: ToyProgram, bound: int | None) -> set[tuple[int, ...]]:
    """Every decision list with at most ``bound`` preemptions, by rerunning from scratch."""
    found = set()
    stack = [()]
    while stack:
        prefix = stack.pop()
        probe = _Probe(prefix)
        run = program.run(probe)
        decisions = run.decisions
        spent = 0
        ok = True
        for i, ((runnable, current), choice) in enumerate(
            zip(probe.offers, decisions, strict=True)
        ):
            if i >= len(prefix):
                for other in runnable:
                    if other != choice:
                        stack.append((*decisions[:i], other))
            if (current is not None and choice != current) or (
                choice == CLOCK and len(runnable) > 1
            ):
                spent += 1
        if bound is not None and spent > bound:
            ok = False
        if ok:
            found.add(decisions)
    return found


class TestCounts:
    """The number of schedules matches what can be counted by hand."""

    def test_two_threads_two_steps_unbounded(self):
        runs = explore(ToyProgram.of(["a1", "a2"], ["b1", "b2"]), ExhaustiveStrategy(None))
        orders = {tuple(label for _, label in run.trace) for run in runs}
        assert len(runs) == comb(4, 2) == 6
        assert len(orders) == 6

    @pytest.mark.parametrize(("bound", "expected"), [(0, 2), (1, 4), (2, 6), (3, 6)])
    def test_two_threads_two_steps_bounded(self, bound, expected):
        # Preemptions: AABB 0, ABBA 1, BAAB 1, ABAB 2, BABA 2, BBAA 0.
        strategy = ExhaustiveStrategy(bound)
        runs = explore(ToyProgram.of(["a1", "a2"], ["b1", "b2"]), strategy)
        assert len(runs) == expected
        assert strategy.explored == expected
        assert strategy.complete

    def test_three_threads_unbounded_is_multinomial(self):
        program = ToyProgram.of(["a1", "a2"], ["b1", "b2"], ["c1", "c2"])
        runs = explore(program, ExhaustiveStrategy(None))
        assert len(runs) == factorial(6) // 2**3 == 90
        assert len({run.trace for run in runs}) == 90

    def test_fewest_preemptions_first(self):
        """Iterative bounding: 0 preemptions (aabb, bbaa), then 1, then 2."""
        runs = explore(ToyProgram.of(["a1", "a2"], ["b1", "b2"]), ExhaustiveStrategy(None))
        labels = ["".join(label[0] for _, label in run.trace) for run in runs]
        assert labels == ["aabb", "bbaa", "abba", "baab", "abab", "baba"]

    def test_single_choice_program_has_one_schedule(self):
        strategy = ExhaustiveStrategy()
        runs = explore(ToyProgram.of(["only", "one"]), strategy)
        assert [run.decisions for run in runs] == [()]
        assert strategy.complete


class TestAgainstBruteForce:
    """With blocking, sleeping and deadlocks, the search finds exactly the brute-force set."""

    @pytest.mark.parametrize(
        "program", [LOCKED, INVERSION, SLEEPER], ids=["locked", "inversion", "sleeper"]
    )
    @pytest.mark.parametrize("bound", [0, 1, 2, None])
    def test_same_schedules(self, program, bound):
        runs = explore(program, ExhaustiveStrategy(bound))
        decisions = [run.decisions for run in runs]
        assert len(decisions) == len(set(decisions)), "a schedule was explored twice"
        assert set(decisions) == brute_force(program, bound)

    def test_inversion_deadlock_is_found_only_with_a_preemption(self):
        assert not any(run.deadlock for run in explore(INVERSION, ExhaustiveStrategy(0)))
        assert any(run.deadlock for run in explore(INVERSION, ExhaustiveStrategy(1)))

    def test_clock_while_any_thread_could_run_is_a_preemption(self):
        strategy = _Recorder(ExhaustiveStrategy(0))
        explore(SLEEPER, strategy)
        assert not [c for runnable, _, c in strategy.calls if c == CLOCK and len(runnable) > 1]

    def test_clock_over_a_runnable_thread_is_a_preemption(self):
        def clock_preemptions(bound):
            strategy = _Recorder(ExhaustiveStrategy(bound))
            explore(SLEEPER, strategy)
            return [
                c for runnable, current, c in strategy.calls if c == CLOCK and current is not None
            ]

        assert clock_preemptions(0) == []
        assert clock_preemptions(1) != []


class _Recorder:
    """Passes calls through and records (runnable, current, answer)."""

    def __init__(self, inner):
        self.inner = inner
        self.calls = []

    def new_execution(self):
        return self.inner.new_execution()

    def next_thread(self, runnable, current):
        choice = self.inner.next_thread(runnable, current)
        self.calls.append((tuple(runnable), current, choice))
        return choice


class TestStopping:
    """The search says when it is done, and a budget stops it early."""

    def test_returns_false_forever_after_completion(self):
        strategy = ExhaustiveStrategy(None)
        explore(ToyProgram.of(["a"], ["b"]), strategy)
        assert strategy.complete
        assert strategy.explored == 2
        assert strategy.new_execution() is False
        assert strategy.new_execution() is False
        assert strategy.explored == 2

    def test_max_schedules(self):
        strategy = ExhaustiveStrategy(None, max_schedules=4)
        runs = explore(ToyProgram.of(["a1", "a2"], ["b1", "b2"]), strategy)
        assert len(runs) == 4
        assert strategy.explored == 4
        assert not strategy.complete
        assert strategy.new_execution() is False
        assert strategy.explored == 4

    def test_max_schedules_equal_to_total_completes(self):
        strategy = ExhaustiveStrategy(None, max_schedules=6)
        explore(ToyProgram.of(["a1", "a2"], ["b1", "b2"]), strategy)
        assert strategy.complete


class TestDeterminism:
    """Same arguments and calls, same answers."""

    def test_two_searches_agree(self):
        first = [run.decisions for run in explore(LOCKED, ExhaustiveStrategy(1))]
        second = [run.decisions for run in explore(LOCKED, ExhaustiveStrategy(1))]
        assert first == second


class TestNondeterminism:
    """A program that changes under the same decisions is reported, with where and what."""

    def test_different_runnable_in_replayed_prefix(self):
        strategy = ExhaustiveStrategy(None)
        assert strategy.new_execution()
        assert strategy.next_thread([1, 2], None) == 1
        assert strategy.next_thread([1, 2], 1) == 1  # the preemption to 2 waits for round 1
        assert strategy.new_execution()
        assert strategy.next_thread([1, 2], None) == 2  # the other free choice, round 0
        assert strategy.new_execution()
        assert strategy.next_thread([1, 2], None) == 1  # round 1 replays its prefix
        with pytest.raises(
            NondeterministicProgram,
            match=r"at decision 1 the runnable was expected to be \[1, 2\] .* but got \[1, 3\]",
        ) as info:
            strategy.next_thread([1, 3], 1)
        assert (info.value.index, info.value.expected, info.value.got) == (1, [1, 2], [1, 3])

    def test_different_current_in_replayed_prefix(self):
        strategy = ExhaustiveStrategy(None)
        strategy.new_execution()
        strategy.next_thread([1, 2], None)
        strategy.next_thread([1, 2], 1)
        strategy.new_execution()
        with pytest.raises(
            NondeterministicProgram,
            match=r"at decision 0 the current thread was expected to be None .* but got 2",
        ):
            strategy.next_thread([1, 2], 2)

    def test_run_ending_before_the_recorded_prefix(self):
        strategy = ExhaustiveStrategy(None)
        strategy.new_execution()
        strategy.next_thread([1, 2], None)
        strategy.next_thread([1, 2], 1)
        strategy.new_execution()
        strategy.next_thread([1, 2], None)
        strategy.new_execution()  # round 1: replays decision 0, then preempts at decision 1
        strategy.next_thread([1, 2], None)
        with pytest.raises(NondeterministicProgram, match=r"run ended after 1 decisions") as info:
            strategy.new_execution()
        assert info.value.index == 1

    def test_a_tuple_runnable_is_the_same_as_a_list(self):
        strategy = ExhaustiveStrategy(None)
        strategy.new_execution()
        strategy.next_thread((1, 2), None)
        strategy.new_execution()
        assert strategy.next_thread([1, 2], None) == 2


class TestInterface:
    """Describe, validate, and refuse misuse."""

    @pytest.mark.parametrize(
        ("bound", "text"),
        [(2, "exhaustive(preemptions<=2)"), (None, "exhaustive(preemptions<=inf)")],
    )
    def test_describe(self, bound, text):
        strategy = ExhaustiveStrategy(bound)
        assert strategy.describe() == text
        assert strategy.name == "exhaustive"
        assert (
            repr(strategy) == f"ExhaustiveStrategy(preemption_bound={bound!r}, max_schedules=None)"
        )

    @pytest.mark.parametrize("bound", [-1, 1.5, "2", True])
    def test_bad_bound(self, bound):
        with pytest.raises(
            ValueError, match=r"'preemption_bound' must be None or an int >= 0 \(got .*\)"
        ):
            ExhaustiveStrategy(bound)

    @pytest.mark.parametrize("limit", [0, -3, 2.0])
    def test_bad_max_schedules(self, limit):
        with pytest.raises(
            ValueError, match=r"'max_schedules' must be None or an int >= 1 \(got .*\)"
        ):
            ExhaustiveStrategy(max_schedules=limit)

    def test_next_thread_before_new_execution(self):
        with pytest.raises(RuntimeError, match=r"called before new_execution\(\)"):
            ExhaustiveStrategy().next_thread([1, 2], None)
