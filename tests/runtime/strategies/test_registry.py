"""Strategies declare themselves by name; make_strategy parses a spec; series explore."""

from __future__ import annotations

import pytest

from interlock.models import InvalidSetting, derive_seed
from interlock.runtime.strategies import (
    STRATEGIES,
    ExhaustiveStrategy,
    PCTStrategy,
    RandomStrategy,
    SeriesStrategy,
    declare,
    for_exploration,
    make_strategy,
    strategy_usage,
)


class TestMakeStrategy:
    """Each spec gives the strategy and parameters it names."""

    @pytest.mark.parametrize(
        ("spec", "kind", "description"),
        [
            ("random", RandomStrategy, "random"),
            ("pct", PCTStrategy, "pct(d=3)"),
            ("pct:1", PCTStrategy, "pct(d=1)"),
            ("pct:5", PCTStrategy, "pct(d=5)"),
            ("exhaustive", ExhaustiveStrategy, "exhaustive(preemptions<=2)"),
            ("exhaustive:0", ExhaustiveStrategy, "exhaustive(preemptions<=0)"),
            ("exhaustive:3", ExhaustiveStrategy, "exhaustive(preemptions<=3)"),
        ],
    )
    def test_specs(self, spec, kind, description):
        strategy = make_strategy(spec, 42)
        assert type(strategy) is kind
        assert strategy.describe() == description

    def test_seed_is_passed_on(self):
        assert make_strategy("random", 42).seed == 42
        assert make_strategy("pct:2", 43).seed == 43

    @pytest.mark.parametrize("spec", ["foo", "", "Random", "random:3", " pct", "pct3", 7])
    def test_unknown(self, spec):
        with pytest.raises(
            ValueError,
            match=r"^unknown strategy .* \(choose mix, random, pct\[:DEPTH\], exhaustive\[:BOUND\], dpor\[:BOUND\]\)$",
        ):
            make_strategy(spec, 0)

    @pytest.mark.parametrize(
        ("spec", "message"),
        [
            ("pct:0", r"^bad DEPTH '0' in strategy 'pct:0': it must be an integer >= 1$"),
            ("pct:", r"^bad DEPTH '' in strategy 'pct:': it must be an integer >= 1$"),
            ("pct:x", r"^bad DEPTH 'x' in strategy 'pct:x'"),
            ("pct:+3", r"^bad DEPTH '\+3'"),
            (
                "exhaustive:-1",
                r"^bad BOUND '-1' in strategy 'exhaustive:-1': it must be an integer >= 0$",
            ),
            ("exhaustive:²", r"^bad BOUND '²'"),
            ("exhaustive:1:2", r"^bad BOUND '1:2'"),
        ],
    )
    def test_bad_numbers(self, spec, message):
        with pytest.raises(ValueError, match=message):
            make_strategy(spec, 0)


class TestDeclarations:
    """The registry is the one list of strategies."""

    def test_usage_lists_every_declared_strategy_in_order(self):
        assert set(STRATEGIES) == {"mix", "random", "pct", "exhaustive", "dpor"}
        assert strategy_usage() == "mix, random, pct[:DEPTH], exhaustive[:BOUND], dpor[:BOUND]"

    def test_a_second_declaration_of_a_name_fails_naming_both(self):
        with pytest.raises(ValueError, match=r"strategy 'pct' is declared twice: by .*pct\._build"):

            @declare("pct", usage="pct", summary="again", order=99)
            def again(argument, seed):  # pragma: no cover - never built
                return RandomStrategy(seed)

    def test_bad_specs_are_invalid_settings(self):
        with pytest.raises(InvalidSetting):
            make_strategy("mix:2", 0)


class TestSeries:
    """How one scenario is explored: the baseline first, then fresh seeded strategies."""

    def test_mix_alternates_random_and_pct_after_the_baseline(self):
        strategy = for_exploration("mix", 5, "tiny/5/4")
        labels = []
        for _ in range(4):
            assert strategy.new_execution()
            labels.append(strategy.label())
        assert labels == [
            ("baseline", 0),
            ("random", derive_seed(5, "tiny/5/4", 0)),
            ("pct", derive_seed(5, "tiny/5/4", 1)),
            ("random", derive_seed(5, "tiny/5/4", 2)),
        ]
        assert strategy.describe() == "mix" and strategy.coverage() is None

    def test_one_spec_is_a_series_of_itself(self):
        strategy = for_exploration("pct:2", 1, "k")
        assert isinstance(strategy, SeriesStrategy)
        strategy.new_execution()
        strategy.new_execution()
        assert strategy.label() == ("pct:2", derive_seed(1, "k", 0))

    def test_a_strategy_that_can_finish_is_kept_whole(self):
        strategy = for_exploration("exhaustive:1", 0, "k")
        assert isinstance(strategy, ExhaustiveStrategy)
        assert strategy.coverage().space == "exhaustive(preemptions<=1)"

    def test_each_run_replays_from_its_label_alone(self):
        strategy = for_exploration("random", 9, "k")
        strategy.new_execution()
        strategy.new_execution()
        spec, seed = strategy.label()
        again = make_strategy(spec, seed)
        again.new_execution()
        choices = (1, 2, 3, 4)
        assert [strategy.next_thread(choices, 1) for _ in range(20)] == [
            again.next_thread(choices, 1) for _ in range(20)
        ]
