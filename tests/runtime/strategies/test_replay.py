"""Replay gives back a recorded run exactly, and says where a run leaves the recording."""

from __future__ import annotations

import pytest

from interlock.replay import decode_decisions, encode_decisions
from interlock.runtime.strategies import (
    BASELINE,
    NondeterministicProgram,
    PCTStrategy,
    RandomStrategy,
    ReplayDiverged,
    ReplayStrategy,
)
from interlock.runtime.strategies._toy import ToyProgram

PROGRAM = ToyProgram.of(["+m", "a", "-m", "z", "a"], ["b", "+m", "b", "-m"], ["c", "z", "c"])


class TestReplay:
    """Recorded decisions in, identical run out."""

    @pytest.mark.parametrize("make", [RandomStrategy, lambda seed: PCTStrategy(seed, depth=3)])
    def test_reproduces_recorded_runs(self, make):
        source = make(4)
        for _ in range(20):
            source.new_execution()
            recorded = PROGRAM.run(source)
            token = encode_decisions(recorded.decisions)
            replay = ReplayStrategy(decode_decisions(token))
            assert replay.new_execution() is True
            assert PROGRAM.run(replay) == recorded
            assert replay.remaining == 0

    def test_one_execution_only(self):
        replay = ReplayStrategy([])
        assert replay.new_execution() is True
        assert replay.new_execution() is False
        assert replay.new_execution() is False

    def test_remaining_survives_the_final_new_execution(self):
        replay = ReplayStrategy([1, 2, 1])
        replay.new_execution()
        replay.next_thread([1, 2], None)
        assert replay.new_execution() is False
        assert replay.remaining == 2

    def test_describe(self):
        replay = ReplayStrategy(iter([1, 2]))
        assert (replay.name, replay.describe(), replay.decisions) == (
            "replay",
            "replay(2 decisions)",
            (1, 2),
        )
        assert repr(replay) == "ReplayStrategy(<2 decisions>)"


class TestDivergence:
    """A run that leaves the recording is stopped with the index and the difference."""

    def test_recorded_choice_not_runnable(self):
        replay = ReplayStrategy([1, 3])
        replay.new_execution()
        assert replay.next_thread([1, 2], None) == 1
        with pytest.raises(
            ReplayDiverged,
            match=r"^replay diverged at decision 1: the recording chose 3, which is not among the runnable \[1, 2\]$",
        ) as info:
            replay.next_thread([1, 2], 1)
        assert (info.value.index, info.value.expected, info.value.got) == (1, 3, [1, 2])

    def test_recording_runs_out(self):
        replay = ReplayStrategy([2])
        replay.new_execution()
        replay.next_thread([0, 2], None)
        with pytest.raises(
            ReplayDiverged,
            match=r"at decision 1: the recording holds only 1 decisions, but the run offers a choice among \[1, 2\]",
        ):
            replay.next_thread([1, 2], None)

    def test_program_that_ends_early_leaves_decisions_unused(self):
        recorded = (2, 2, 2, 3, 3, 2, 1, 1, 1, 0, 1, 3)  # a whole run of PROGRAM
        whole = ReplayStrategy(recorded)
        whole.new_execution()
        assert PROGRAM.run(whole).decisions == recorded and whole.remaining == 0
        without_third = ToyProgram.of(*PROGRAM.threads[:2])
        replay = ReplayStrategy(recorded)
        replay.new_execution()
        without_third.run(replay)
        assert replay.remaining == 10

    def test_program_with_other_threads_diverges(self):
        replay = ReplayStrategy((2, 2, 2, 3))
        replay.new_execution()
        with pytest.raises(
            ReplayDiverged,
            match=r"at decision 0: the recording chose 2, which is not among the runnable \[1, 3\]",
        ):
            ToyProgram.of(["a"], [], ["c"]).run(replay)
        assert isinstance(ReplayDiverged("m", 0, 2, [1, 3]), NondeterministicProgram)

    def test_divergence_is_picklable(self):
        import pickle

        err = ReplayDiverged("replay diverged at decision 1: x", 1, 3, [1, 2])
        copy = pickle.loads(pickle.dumps(err))
        assert (type(copy), str(copy), copy.index, copy.expected, copy.got) == (
            ReplayDiverged,
            str(err),
            1,
            3,
            [1, 2],
        )


class TestPrefix:
    """``then=BASELINE``: follow a prefix, then never preempt, time last (how a failing
    schedule is cut down, and, with no prefix, the baseline schedule)."""

    def test_follows_the_prefix_then_keeps_the_current_thread(self):
        strategy = ReplayStrategy([2, 1], then=BASELINE)
        assert strategy.new_execution()
        picks = [
            strategy.next_thread([1, 2], 1),  # prefix
            strategy.next_thread([1, 2], 2),  # prefix
            strategy.next_thread([0, 1, 3], 3),  # current thread goes on
            strategy.next_thread([0, 2, 3], None),  # lowest thread, not the clock
            strategy.next_thread([0], None),  # only the clock
        ]
        assert picks == [2, 1, 3, 2, 0]
        assert strategy.describe() == "prefix(2)"
        assert repr(strategy) == "ReplayStrategy(<2 decisions>, then='baseline')"

    def test_a_prefix_entry_not_offered_is_skipped_and_a_prefix_can_rerun(self):
        strategy = ReplayStrategy([5], then=BASELINE)
        strategy.new_execution()
        assert strategy.next_thread([1, 2], 2) == 2
        assert strategy.remaining == 0
        assert strategy.new_execution()  # starts over
        assert strategy.remaining == 1

    def test_the_empty_prefix_is_the_baseline(self):
        strategy = ReplayStrategy((), then=BASELINE)
        strategy.new_execution()
        assert strategy.describe() == "baseline" and strategy.label() == ("baseline", 0)
        assert strategy.next_thread([0, 1, 2], None) == 1

    def test_then_must_be_known(self):
        with pytest.raises(ValueError, match=r"^'then' must be None or 'baseline' \(got 'x'\)$"):
            ReplayStrategy([], then="x")
