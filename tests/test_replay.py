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


class TestAPastedToken:
    """A token as a PR comment gives it back: wrapped, indented, quoted with ``>``."""

    TOKEN = ReplayToken("executor_map", "@tiny", "controlled", "random", 5, (1, 2, 3) * 30, "ab")

    @pytest.mark.parametrize(
        "paste",
        [
            lambda t: t[:30] + "\n" + t[30:],
            lambda t: "> " + t[:30] + "\n> " + t[30:60] + "\n>   " + t[60:],
            lambda t: "  " + t[:20] + " " + t[20:] + "\r\n",
            lambda t: ">> " + t,  # a quote of a quote
        ],
    )
    def test_it_reads_as_the_token(self, paste):
        assert ReplayToken.decode(paste(self.TOKEN.encode())) == self.TOKEN

    def test_other_characters_are_still_refused(self):
        text = self.TOKEN.encode()
        with pytest.raises(InvalidToken, match="replay token is damaged"):
            ReplayToken.decode(text[:30] + "*" + text[30:])


class TestWhereTheTargetIsFound:
    """``root`` and ``node`` travel in the token; a token without them reads as before."""

    def test_they_round_trip(self):
        token = ReplayToken("m:f", "sync", "explore", "random", 1, (1,), "0", "src", "t.py::a")
        assert ReplayToken.decode(token.encode()) == token

    def test_a_token_made_before_them_still_reads(self):
        made = ReplayToken("executor_map", "@tiny", "controlled", "random", 5, (1,), "ab")
        # Encoded without the two fields, exactly as the old encoder wrote it.
        import base64
        import json
        import zlib

        data = {"t": "executor_map", "s": "@tiny", "r": "controlled", "st": "random", "sd": 5}
        data.update({"d": "rAQE", "h": "ab"})
        raw = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
        text = "il1." + base64.urlsafe_b64encode(raw).decode().rstrip("=")
        assert ReplayToken.decode(text) == made
        assert made.encode() == text  # empty fields are not written

    def test_it_says_whose_it_is(self):
        subject = ReplayToken("article_queue", "@tiny", "controlled", "random", 5, (1,), "ab")
        assert subject.describe() == (
            "token of subject article_queue (scenario tiny, controlled runtime)"
        )
        function = ReplayToken("pkg.mod:fn", "line", "explore", "random", 5, (1,), "ab")
        assert function.describe() == "token of function pkg.mod:fn (explore, line granularity)"
