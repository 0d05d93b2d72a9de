"""The toy program driver and the benchmark, which the other strategy tests lean on."""

from __future__ import annotations

import pytest

from interlock.bench import strategies as _bench
from interlock.runtime.strategies._toy import ToyProgram
from interlock.runtime.strategy import CLOCK


class _Scripted:
    def __init__(self, answers):
        self.answers = list(answers)

    def new_execution(self):
        return True

    def next_thread(self, runnable, current):
        self.seen = (list(runnable), current)
        return self.answers.pop(0)


class TestToyProgram:
    """The driver offers choices the way the engine promises to."""

    def test_run_with_lock_sleep_and_clock(self):
        program = ToyProgram.of(["+m", "z", "-m"], ["+m", "b", "-m"])
        # 1 takes the lock and sleeps; 2 is blocked on the lock; nothing can run,
        # so the clock fires without a decision; 1 releases; 2 runs alone.
        run = program.run(_Scripted([1]))
        assert run.decisions == (1,)
        assert run.trace == ((1, "+m"), (1, "z"), (1, "-m"), (2, "+m"), (2, "b"), (2, "-m"))
        assert not run.deadlock

    def test_clock_is_offered_while_a_thread_can_run(self):
        program = ToyProgram.of(["z", "a"], ["b", "c"])
        strategy = _Scripted([1, CLOCK, 1, 2])
        run = program.run(strategy)
        assert run.decisions == (1, CLOCK, 1)
        assert [label for _, label in run.trace] == ["z", "a", "b", "c"]

    def test_deadlock(self):
        program = ToyProgram.of(["+p", "+q"], ["+q", "+p"])
        run = program.run(_Scripted([1, 2]))
        assert run.deadlock
        assert run.trace == ((1, "+p"), (2, "+q"))

    def test_answer_outside_the_offer_is_caught(self):
        with pytest.raises(AssertionError, match=r"strategy answered 7, not one of \[1, 2\]"):
            ToyProgram.of(["a"], ["b"]).run(_Scripted([7]))


def test_benchmark_prints_a_row_per_strategy(capsys):
    _bench.main(decisions=40, runs=2, repeats=1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[0] == "strategy"
    assert [line.split()[0] for line in lines[1:]] == [
        "random",
        "pct(d=3)",
        "exhaustive(preemptions<=2)",
        "exhaustive(preemptions<=inf)",
        "replay",
    ]
