"""Bounded exhaustive search: every schedule with at most B preemptions.

Depth-first over the tree of decisions, one branch per execution. A preemption
is choosing anything other than ``current`` while ``current`` could go on
running. Bounding preemptions rather than depth follows CHESS (Musuvathi and
Qadeer, "Iterative Context Bounding for Systematic Testing of Multithreaded
Programs", PLDI 2007): most concurrency bugs need very few preemptions, and the
number of schedules grows polynomially, not exponentially, in program length
for a fixed bound.

Choices made here, and why:

- ``current`` is tried first, so the non-preemptive schedules come first and a
  search cut short by ``max_schedules`` has covered the cheapest ones.
- Picking ``CLOCK`` while ``current`` could run counts as a preemption: it
  deschedules a thread that was not blocked. When ``current`` is None every
  choice is free, ``CLOCK`` included.
- The search remembers each decision's runnable set and, while replaying a
  prefix, checks it: a program that reaches a different choice point under the
  same decisions would make the count of explored schedules meaningless.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._errors import NondeterministicProgram

__all__ = ["ExhaustiveStrategy"]


class _Node:
    """One decision on the current branch: what was offered, what is left to try."""

    __slots__ = ("choices", "current", "index", "runnable")

    def __init__(self, runnable: tuple[int, ...], current: int | None, choices: list[int]):
        self.runnable = runnable
        self.current = current
        self.choices = choices  # in the order they are tried
        self.index = 0  # choices[index] is the branch being explored


class ExhaustiveStrategy:
    """Depth-first search over schedules with at most ``preemption_bound`` preemptions.

    ``preemption_bound=None`` means no bound; ``max_schedules`` stops the search
    early. ``explored`` counts the executions started; ``complete`` turns True
    when ``new_execution()`` has found every schedule explored.
    """

    name = "exhaustive"

    def __init__(self, preemption_bound: int | None = 2, max_schedules: int | None = None) -> None:
        if preemption_bound is not None and (
            type(preemption_bound) is not int or preemption_bound < 0
        ):
            msg = f"'preemption_bound' must be None or an int >= 0 (got {preemption_bound!r})"
            raise ValueError(msg)
        if max_schedules is not None and (type(max_schedules) is not int or max_schedules < 1):
            msg = f"'max_schedules' must be None or an int >= 1 (got {max_schedules!r})"
            raise ValueError(msg)
        self.preemption_bound = preemption_bound
        self.max_schedules = max_schedules
        self.explored = 0
        self.complete = False
        self._path: list[_Node] = []
        self._pos = 0  # next decision index in this execution
        self._preemptions = 0  # spent so far in this execution
        self._started = False
        self._stopped = False

    def new_execution(self) -> bool:
        if self.complete or self._stopped:
            return False
        if self._started:
            self._check_reached_prefix()
            if not self._backtrack():
                self.complete = True
                return False
        if self.max_schedules is not None and self.explored >= self.max_schedules:
            self._stopped = True  # more schedules remain: ``complete`` stays False
            return False
        self._started = True
        self._pos = 0
        self._preemptions = 0
        self.explored += 1
        return True

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        pos = self._pos
        self._pos = pos + 1
        path = self._path
        if pos < len(path):
            node = path[pos]
            if node.runnable != tuple(runnable) or node.current != current:
                self._diverged(pos, node, runnable, current)
            choice = node.choices[node.index]
        else:
            if not self._started:
                msg = "ExhaustiveStrategy.next_thread() was called before new_execution()"
                raise RuntimeError(msg)
            node = _Node(tuple(runnable), current, self._choices(runnable, current))
            path.append(node)
            choice = node.choices[0]
        if current is not None and choice != current:
            self._preemptions += 1
        return choice

    def describe(self) -> str:
        bound = "inf" if self.preemption_bound is None else self.preemption_bound
        return f"exhaustive(preemptions<={bound})"

    def __repr__(self) -> str:
        return (
            f"ExhaustiveStrategy(preemption_bound={self.preemption_bound!r}, "
            f"max_schedules={self.max_schedules!r})"
        )

    def _choices(self, runnable: Sequence[int], current: int | None) -> list[int]:
        if current is None or current not in runnable:
            return list(runnable)
        bound = self.preemption_bound
        if bound is not None and self._preemptions >= bound:
            return [current]
        # Three C-level calls: a comprehension here doubled the cost of a decision.
        choices = list(runnable)
        choices.remove(current)
        choices.insert(0, current)
        return choices

    def _backtrack(self) -> bool:
        """Move to the next unexplored branch; False when there is none."""
        path = self._path
        while path:
            node = path[-1]
            if node.index + 1 < len(node.choices):
                node.index += 1
                return True
            path.pop()
        return False

    def _check_reached_prefix(self) -> None:
        # The last execution replayed a recorded prefix and branched at its
        # end; ending before that end means the same decisions led elsewhere.
        if self._pos < len(self._path):
            node = self._path[self._pos]
            msg = (
                f"program is not deterministic: the run ended after {self._pos} decisions, "
                f"but the same decisions reached decision {self._pos} before, "
                f"with runnable {list(node.runnable)}"
            )
            raise NondeterministicProgram(msg, self._pos, list(node.runnable), None)

    @staticmethod
    def _diverged(pos: int, node: _Node, runnable: Sequence[int], current: int | None) -> None:
        if node.runnable != tuple(runnable):
            what, expected, got = "runnable", list(node.runnable), list(runnable)
        else:
            what, expected, got = "current thread", node.current, current
        msg = (
            f"program is not deterministic: at decision {pos} the {what} was "
            f"expected to be {expected!r} (as in an earlier run with the same decisions) "
            f"but got {got!r}"
        )
        raise NondeterministicProgram(msg, pos, expected, got)
