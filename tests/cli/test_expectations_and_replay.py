"""The CLI's rarer exits: interruption, declared breaks under real threads, replay verdicts."""

from __future__ import annotations

import textwrap

import pytest

from interlock import cli
from interlock.replay import ReplayToken, trace_digest
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.strategies import RandomStrategy
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects
from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(120)

# Loses its last result on every run; leaves nothing behind, so clean_shutdown holds,
# which it declares as a break that real threads seldom show.
SEQUENTIAL_LOSSY = textwrap.dedent(
    """
    BREAKS = {
        "no_lost_results": "drops the last result",
        "clean_shutdown": "said to leave a thread behind, seldom seen with real threads",
    }
    RARE_WITH_THREADS = {"clean_shutdown"}

    def download_all(urls, fetch, limit):
        return [fetch(url) for url in urls][:-1]
    """
)


def test_interrupt_exits_130(capsys, monkeypatch):
    def interrupted() -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_list", interrupted)
    code, out, err = run(capsys, "list")
    assert (code, out, err) == (130, "", "interlock: interrupted\n")


class TestExpectDeclared:
    """A break declared rare with real threads may hold there, and only there."""

    @pytest.fixture
    def target(self, tmp_path):
        path = tmp_path / "sequential_lossy.py"
        path.write_text(SEQUENTIAL_LOSSY)
        return f"{path}:download_all"

    def test_threads_forgive_a_rare_break_that_held(self, capsys, target):
        argv = ["verify", target, "--scenario", "single", "--runs", "1", "--expect-declared"]
        code, out, err = run(capsys, *argv, "--runtime", "threads")
        assert code == 0, err
        assert "unexpected" not in err
        assert "FAIL no_lost_results" in out

    def test_the_controlled_runtime_does_not(self, capsys, target):
        argv = ["verify", target, "--scenario", "single", "--runs", "1", "--expect-declared"]
        code, _, err = run(capsys, *argv)
        assert code == 1
        assert err == f"unexpected: {target} declares it breaks clean_shutdown, but it held\n"


class TestReplayVerdicts:
    """A replay of a schedule where every invariant holds shows the run, compares traces,
    and exits 3: the token no longer applies (its run does not fail)."""

    @staticmethod
    def token(digest: str | None = None) -> str:
        strategy = RandomStrategy(5)
        strategy.new_execution()
        record = ControlledRuntime().run(
            builtin_subjects()["executor_map"], load_scenario("tiny"), strategy
        )
        return ReplayToken(
            target="executor_map",
            scenario="@tiny",
            runtime="controlled",
            strategy="random",
            seed=5,
            decisions=record.decisions,
            digest=digest or trace_digest(record.trace.render()),
        ).encode()

    def test_a_passing_schedule_replays_identically(self, capsys):
        code, out, err = run(capsys, "replay", self.token())
        assert code == 3
        first, second = out.splitlines()[:2]
        assert first == "token of subject executor_map (scenario tiny, controlled runtime)"
        assert second.startswith("timeline of executor_map on tiny: 5 URLs, limit 4, 0 failing")
        assert out.rstrip().endswith("trace identical to the recorded one")
        assert "FAIL" not in out
        assert err == (
            "interlock: the token no longer applies: its schedule runs to the end without "
            "failing today (a fix landed?); --recheck explores today's code afresh\n"
        )

    def test_a_different_trace_is_called_out(self, capsys):
        code, out, _ = run(capsys, "replay", self.token(digest="0" * 16))
        assert code == 3
        assert out.rstrip().endswith(
            "trace DIFFERS from the recorded one: the subject is not deterministic under the "
            "scheduler"
        )
