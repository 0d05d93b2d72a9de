"""make_strategy parses a spec; the package exports exactly its public names."""

from __future__ import annotations

import pytest

import interlock.runtime.strategies as strategies
from interlock.runtime.strategies import (
    ExhaustiveStrategy,
    PCTStrategy,
    RandomStrategy,
    make_strategy,
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
            match=r"^unknown strategy .* \(choose random, pct\[:DEPTH\], exhaustive\[:BOUND\]\)$",
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


def test_all_is_exactly_the_public_names():
    # "@"-names are pytest's assertion-rewriting helpers (the plugin's package is rewritten).
    public = {name for name in vars(strategies) if not name.startswith(("_", "@"))}
    modules = {"exhaustive", "pct", "random_walk", "replay", "annotations", "Strategy"}
    assert set(strategies.__all__) == public - modules
    assert sorted(strategies.__all__) == strategies.__all__
