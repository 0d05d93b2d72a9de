"""A tiny deterministic program model, to drive strategies without the engine.

Used by the strategy tests and the benchmark. Each thread is a fixed list of
steps; a step is a label, and three kinds of label act on shared state:
``"+name"`` acquires the toy lock ``name`` (the thread is not runnable while
another holds it), ``"-name"`` releases it, and ``"z"`` sleeps until the clock
fires. The driver offers choices the way the engine does: thread ids from 1,
``CLOCK`` among them while a timer is pending and a thread can run, ``current``
set while the last thread to run can go on, and a call to the strategy only
when there are two or more choices.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from ..strategy import CLOCK, Strategy

__all__ = ["ToyProgram", "ToyRun"]


@dataclass(frozen=True)
class ToyRun:
    decisions: tuple[int, ...]  # the strategy's answers, in order
    trace: tuple[tuple[int, str], ...]  # (thread, step label) for each step run
    deadlock: bool  # threads were left that could never run


@dataclass(frozen=True)
class ToyProgram:
    threads: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, *threads: Sequence[str]) -> ToyProgram:
        return cls(tuple(tuple(steps) for steps in threads))

    def run(self, strategy: Strategy) -> ToyRun:
        """One execution; the caller is expected to have called ``new_execution()``."""
        steps = self.threads
        count = len(steps)
        pos = [0] * count
        holder: dict[str, int] = {}
        sleeping: deque[int] = deque()
        decisions: list[int] = []
        trace: list[tuple[int, str]] = []
        current: int | None = None
        while True:
            runnable = []
            for index in range(count):
                if pos[index] == len(steps[index]) or index + 1 in sleeping:
                    continue
                label = steps[index][pos[index]]
                if label[:1] == "+" and label[1:] in holder:
                    continue
                runnable.append(index + 1)
            if not runnable:
                if sleeping:  # nothing else can happen: time must move
                    sleeping.popleft()
                    current = None
                    continue
                break
            offered = [CLOCK, *runnable] if sleeping else runnable
            if current not in runnable:
                current = None
            if len(offered) == 1:
                choice = offered[0]
            else:
                choice = strategy.next_thread(offered, current)
                if choice not in offered:
                    msg = f"strategy answered {choice!r}, not one of {offered}"
                    raise AssertionError(msg)
                decisions.append(choice)
            if choice == CLOCK:
                sleeping.popleft()  # the thread that was running stays current
                continue
            index = choice - 1
            label = steps[index][pos[index]]
            pos[index] += 1
            if label[:1] == "+":
                holder[label[1:]] = choice
            elif label[:1] == "-":
                del holder[label[1:]]
            elif label == "z":
                sleeping.append(choice)
            trace.append((choice, label))
            current = choice
        deadlock = any(pos[i] < len(steps[i]) for i in range(count))
        return ToyRun(tuple(decisions), tuple(trace), deadlock)
