"""Replay tokens carry their scenario: a built-in by name, anything else in full."""

from __future__ import annotations

import pytest

from interlock.models import Scenario, TaskSpec
from interlock.replay import InvalidToken, ReplayToken, scenario_reference
from interlock.scenarios import builtin_names, load_scenario

TWO = Scenario("two", (TaskSpec("u0", duration=1.0), TaskSpec("u1", fails=True)), limit=2)


def token_for(scenario: Scenario) -> ReplayToken:
    return ReplayToken(
        target="executor_map",
        scenario=scenario_reference(scenario, set(builtin_names())),
        runtime="controlled",
        strategy="random",
        seed=3,
        decisions=(1, 2, 0, 2),
        digest="0123456789abcdef",
    )


class TestScenarioReference:
    """A token names a built-in scenario, and embeds any other."""

    def test_a_built_in_scenario_is_named(self):
        token = token_for(load_scenario("tiny"))
        assert token.scenario == "@tiny"
        assert token.load_scenario() == load_scenario("tiny")

    def test_a_custom_scenario_travels_in_the_token(self):
        token = ReplayToken.decode(token_for(TWO).encode())
        assert not token.scenario.startswith("@")
        assert token.load_scenario() == TWO
        assert token.decisions == (1, 2, 0, 2)

    def test_a_changed_scenario_with_a_built_in_name_is_embedded(self):
        tiny = load_scenario("tiny")
        changed = Scenario("tiny", tiny.tasks[:2], limit=tiny.limit)
        token = token_for(changed)
        assert token.scenario != "@tiny"
        assert token.load_scenario() == changed


def test_long_garbage_is_clipped_in_the_message():
    with pytest.raises(InvalidToken, match=r"not a replay token .*: 'x{37}\.\.\.'$"):
        ReplayToken.decode("x" * 80)
