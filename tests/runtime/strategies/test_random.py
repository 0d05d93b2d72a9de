"""Seeded random walk: a fixed sequence of runs per seed, with a small, fixed chance of letting time pass."""

from __future__ import annotations

from collections import Counter

import pytest

from interlock.runtime.strategies import RandomStrategy
from interlock.runtime.strategies._toy import ToyProgram

PROGRAM = ToyProgram.of(["+m", "a", "-m", "z", "a"], ["b", "+m", "b", "-m"], ["c", "z", "c"])


def schedules(seed: int, count: int) -> list[tuple[int, ...]]:
    strategy = RandomStrategy(seed)
    out = []
    for _ in range(count):
        assert strategy.new_execution() is True
        out.append(PROGRAM.run(strategy).decisions)
    return out


class TestRandomStrategy:
    """Same seed, same runs; every answer runnable; no choice favoured."""

    def test_same_seed_same_runs(self):
        assert schedules(11, 40) == schedules(11, 40)

    def test_runs_continue_the_generator(self):
        runs = schedules(11, 40)
        assert len(set(runs)) > 10

    def test_seeds_differ(self):
        assert schedules(1, 10) != schedules(2, 10)

    def test_known_answers_for_seed_zero(self):
        # Pins the sequence so a change of algorithm or Python shows up here.
        strategy = RandomStrategy(0, clock_bias=None)
        strategy.new_execution()
        assert [strategy.next_thread([0, 1, 2, 3], None) for _ in range(8)] == [
            3,
            3,
            1,
            1,
            2,
            1,
            3,
            1,
        ]

    def test_answers_are_runnable_and_uniform(self):
        strategy = RandomStrategy(5)
        strategy.new_execution()
        counts = Counter(strategy.next_thread((2, 4, 9), 4) for _ in range(3000))
        assert set(counts) == {2, 4, 9}
        assert min(counts.values()) > 900

    def test_clock_is_chosen_with_its_small_bias(self):
        strategy = RandomStrategy(9, clock_bias=0.1)
        strategy.new_execution()
        counts = Counter(strategy.next_thread((0, 1, 2), 1) for _ in range(5000))
        assert 350 < counts[0] < 650  # about 10%
        assert counts[1] > 2000 and counts[2] > 2000
        assert RandomStrategy(1, clock_bias=0.5).describe() == "random(clock_bias=0.5)"

    def test_clock_bias_must_be_a_probability(self):
        with pytest.raises(ValueError, match=r"'clock_bias' must be between 0 and 1 \(got 2\)"):
            RandomStrategy(0, clock_bias=2)

    def test_describe(self):
        strategy = RandomStrategy(3)
        assert (strategy.name, strategy.describe(), repr(strategy)) == (
            "random",
            "random",
            "RandomStrategy(seed=3, clock_bias=0.02)",
        )
