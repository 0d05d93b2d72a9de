"""Hypothesis strategies for scenarios: their bounds, their round trips, and how they shrink."""

from __future__ import annotations

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from interlock.models import Scenario
from interlock.scenarios import (
    decode_scenario,
    encode_scenario,
    scenario_from_dict,
    scenario_to_dict,
)
from interlock.scenarios.strategies import COMMON_DURATIONS, scenarios

# find() should reach its minimum deterministically and without the example database.
FIND = settings(database=None, max_examples=2000, derandomize=True)


class TestBounds:
    """Generated scenarios stay inside what was asked for."""

    @given(scenarios())
    def test_defaults(self, scenario):
        assert isinstance(scenario, Scenario)
        assert scenario.name == "generated"
        assert 0 <= len(scenario.tasks) <= 50
        assert 1 <= scenario.limit <= 8
        assert scenario.urls == [f"u{i}" for i in range(len(scenario.tasks))]
        assert all(0 <= t.duration <= 20 for t in scenario.tasks)

    @given(scenarios(max_urls=3, max_limit=2, min_urls=2, min_limit=2, name="small", seed=5))
    def test_custom_bounds(self, scenario):
        assert 2 <= len(scenario.tasks) <= 3
        assert scenario.limit == 2
        assert (scenario.name, scenario.seed) == ("small", 5)

    @given(scenarios(failures=False))
    def test_no_failures(self, scenario):
        assert not any(t.fails for t in scenario.tasks)

    def test_own_durations_are_where_shrinking_aims(self):
        found = find(scenarios(durations=(0.5, 2)), lambda s: len(s.tasks) == 2, settings=FIND)
        assert [t.duration for t in found.tasks] == [0.5, 0.5]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"max_urls": -1}, r"'max_urls' must be an integer >= 0 \(got -1\)"),
            ({"max_limit": 0}, r"'max_limit' must be an integer >= 1 \(got 0\)"),
            (
                {"min_limit": 3, "max_limit": 2},
                r"'max_limit' must be >= 'min_limit' \(3\) \(got 2\)",
            ),
            ({"min_urls": True}, r"'min_urls' must be an integer >= 0 \(got True\)"),
            ({"durations": ()}, r"'durations' must be a non-empty sequence"),
            (
                {"durations": (1, -1)},
                r"'durations' must be a non-empty sequence .* \(got \(1, -1\)\)",
            ),
        ],
    )
    def test_bad_arguments(self, kwargs, message):
        with pytest.raises(ValueError, match=message):
            scenarios(**kwargs)

    def test_failures_must_be_bool(self):
        with pytest.raises(TypeError, match=r"'failures' must be true or false \(got 1\)"):
            scenarios(failures=1)  # type: ignore[arg-type]


class TestVariety:
    """The interesting cases do come up: ties, zero durations, failures, rare values."""

    @pytest.mark.parametrize(
        "wanted",
        [
            lambda s: len(s.tasks) >= 3 and len({t.duration for t in s.tasks}) == 1,
            lambda s: any(t.duration == 0 for t in s.tasks),
            lambda s: any(t.fails for t in s.tasks),
            lambda s: any(t.duration not in COMMON_DURATIONS for t in s.tasks),
            lambda s: s.limit == 8 and len(s.tasks) > 8,
            lambda s: len(s.tasks) == 0,
        ],
    )
    def test_reachable(self, wanted):
        assert wanted(find(scenarios(), wanted, settings=FIND))

    def test_common_durations_are_common(self):
        seen = []

        @settings(database=None, max_examples=200, derandomize=True)
        @given(scenarios(failures=False))
        def collect(scenario):
            seen.extend(t.duration for t in scenario.tasks)

        collect()
        common = sum(d in COMMON_DURATIONS for d in seen)
        assert seen and common / len(seen) > 0.6


class TestShrinking:
    """A counterexample shrinks to something a reviewer can read at a glance."""

    def test_failing_url_at_small_limit(self):
        found = find(
            scenarios(), lambda s: any(t.fails for t in s.tasks) and s.limit <= 2, settings=FIND
        )
        assert found.limit == 1
        assert [(t.url, t.duration, t.fails) for t in found.tasks] == [("u0", 1.0, True)]

    def test_more_urls_than_limit(self):
        # The shape of a "more than limit in flight" counterexample.
        found = find(scenarios(), lambda s: len(s.tasks) > s.limit, settings=FIND)
        assert found.limit == 1
        assert [(t.url, t.duration, t.fails) for t in found.tasks] == [
            ("u0", 1.0, False),
            ("u1", 1.0, False),
        ]

    def test_needing_a_long_download(self):
        found = find(scenarios(), lambda s: any(t.duration > 3 for t in s.tasks), settings=FIND)
        assert (found.limit, len(found.tasks)) == (1, 1)
        assert 3 < found.tasks[0].duration < 3.1

    def test_needing_a_tie_at_limit_3(self):
        def tie_at_3(s):
            return s.limit >= 3 and len(s.tasks) >= 4

        found = find(scenarios(), tie_at_3, settings=FIND)
        assert found.limit == 3
        assert [t.duration for t in found.tasks] == [1.0] * 4
        assert not any(t.fails for t in found.tasks)


class TestRoundTrip:
    """Every generated scenario survives the dict and the text encoding unchanged."""

    @given(scenarios(), st.integers(-(2**40), 2**40), st.none() | st.floats(0.001, 1e6))
    def test_dict_and_text(self, scenario, seed, budget):
        scenario = Scenario(scenario.name, scenario.tasks, scenario.limit, seed, budget)
        assert scenario_from_dict(scenario_to_dict(scenario)) == scenario
        text = encode_scenario(scenario)
        assert decode_scenario(text) == scenario
        assert text.isascii() and "=" not in text and "+" not in text and "/" not in text
