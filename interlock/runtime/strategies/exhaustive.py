"""Bounded exhaustive search: every schedule with at most B preemptions, each once.

A preemption is choosing anything other than ``current`` while ``current``
could go on running. Bounding preemptions rather than depth follows CHESS
(Musuvathi and Qadeer, "Iterative Context Bounding for Systematic Testing of
Multithreaded Programs", PLDI 2007): most concurrency bugs need very few
preemptions, and for a fixed bound the number of schedules grows polynomially
in the length of the program.

How the search goes, and why:

- Iterative bounding, as in CHESS: every schedule with no preemption first,
  then those with exactly one, and so on. A round works through a queue of
  *prefixes*, each ending in a preemption. From a prefix it searches depth
  first over the free choices (those made when ``current`` cannot run), always
  letting a runnable ``current`` go on; every preemption it could have made
  instead becomes a prefix for the next round. So each schedule is run exactly
  once, and a search cut short by ``max_schedules`` has covered the cheapest
  schedules. A plain depth-first search with the full bound would instead spend
  its budget varying the last decisions of one long branch.
- Within a decision, ``current`` comes first, then the other threads in id
  order, and ``CLOCK`` last, so the very first schedule is the one an idle
  machine would most likely give: nothing preempted, time passing only when no
  thread can run.
- Picking ``CLOCK`` while any thread could run counts as a preemption: time
  passing under a runnable thread is a delay of that thread, and a bug that
  needs it is as rare on a real machine as one that needs a preemption. When
  ``current`` is None the choice among threads is free.
- The search remembers each decision's runnable set and, while replaying a
  prefix, checks it: a program that reaches a different choice point under the
  same decisions would make the count of explored schedules meaningless.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from ..strategy import CLOCK, Coverage
from ._errors import NondeterministicProgram, diverged
from ._registry import declare, parse_count

__all__ = ["ExhaustiveStrategy"]


class _Node:
    """One decision on the current branch: what was offered, what is left to try."""

    __slots__ = ("choices", "current", "index", "runnable")

    def __init__(self, runnable: tuple[int, ...], current: int | None, choices: list[int]):
        self.runnable = runnable
        self.current = current
        self.choices = choices  # the free alternatives, in the order they are tried
        self.index = 0  # choices[index] is the branch being explored


# A prefix for a later round: (runnable, current, choice) per decision, and its preemptions.
_Prefix = tuple[tuple[tuple[tuple[int, ...], "int | None", int], ...], int]


class ExhaustiveStrategy:
    """Every schedule with at most ``preemption_bound`` preemptions, fewest first.

    ``preemption_bound=None`` means no bound; ``max_schedules`` stops the search
    early. ``explored`` counts the executions started (each a different
    schedule); ``complete`` turns True when ``new_execution()`` has found every
    schedule explored.
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
        self._queue: deque[_Prefix] = deque([((), 0)])  # prefixes still to search from
        self._prefix: tuple = ()  # the prefix of the search under way
        self._path: list[_Node] = []  # decisions after the prefix, on the current branch
        self._pos = 0  # next decision index in this execution
        self._preemptions = 0  # spent so far in this execution
        self._started = False
        self._stopped = False

    def new_execution(self) -> bool:
        if self.complete or self._stopped:
            return False
        if self._started:
            self._check_reached_prefix()
            if not self._backtrack() and not self._next_prefix():
                self.complete = True
                return False
        elif not self._next_prefix():  # pragma: no cover - the queue starts non-empty
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
        if not self._started:
            msg = "ExhaustiveStrategy.next_thread() was called before new_execution()"
            raise RuntimeError(msg)
        pos = self._pos
        self._pos = pos + 1
        prefix = self._prefix
        if pos < len(prefix):
            expected_runnable, expected_current, choice = prefix[pos]
            if expected_runnable != tuple(runnable) or expected_current != current:
                diverged(pos, expected_runnable, expected_current, runnable, current)
        else:
            at = pos - len(prefix)
            path = self._path
            if at < len(path):
                node = path[at]
                if node.runnable != tuple(runnable) or node.current != current:
                    diverged(pos, node.runnable, node.current, runnable, current)
            else:
                node = self._expand(tuple(runnable), current)
                path.append(node)
            choice = node.choices[node.index]
        if (current is not None and choice != current) or (choice == CLOCK and len(runnable) > 1):
            self._preemptions += 1
        return choice

    def describe(self) -> str:
        bound = "inf" if self.preemption_bound is None else self.preemption_bound
        return f"exhaustive(preemptions<={bound})"

    def coverage(self) -> Coverage | None:
        return Coverage(self.complete, self.explored, self.describe())

    def label(self) -> tuple[str, int]:
        if self.preemption_bound == 2:
            return "exhaustive", 0
        return f"exhaustive:{self.preemption_bound}", 0

    def __repr__(self) -> str:
        return (
            f"ExhaustiveStrategy(preemption_bound={self.preemption_bound!r}, "
            f"max_schedules={self.max_schedules!r})"
        )

    def _expand(self, runnable: tuple[int, ...], current: int | None) -> _Node:
        """A new decision: free alternatives to search now, preemptions for the next round."""
        ordered = list(runnable)
        if ordered[0] == CLOCK:  # runnable is sorted, so CLOCK comes first: try it last
            ordered.append(ordered.pop(0))
        if current is not None and current in runnable:
            free = [current]
        else:  # current blocked or gone: any thread may run; time passing is not free
            free = [c for c in ordered if c != CLOCK] or ordered
        bound = self.preemption_bound
        if bound is None or self._preemptions < bound:
            taken = self._prefix + tuple(
                (n.runnable, n.current, n.choices[n.index]) for n in self._path
            )
            for choice in ordered:
                if choice not in free:
                    self._queue.append(
                        (taken + ((runnable, current, choice),), self._preemptions + 1)
                    )
        return _Node(runnable, current, free)

    def _backtrack(self) -> bool:
        """Move to the next free alternative after the prefix; False when there is none."""
        path = self._path
        while path:
            node = path[-1]
            if node.index + 1 < len(node.choices):
                node.index += 1
                return True
            path.pop()
        return False

    def _next_prefix(self) -> bool:
        """Start the search from the next queued prefix (fewest preemptions first)."""
        if not self._queue:
            return False
        self._prefix, _ = self._queue.popleft()
        self._path = []
        return True

    def _check_reached_prefix(self) -> None:
        # The last execution replayed recorded decisions; ending before their end
        # means the same decisions led elsewhere.
        recorded = len(self._prefix) + len(self._path)
        if self._pos < recorded:
            pos = self._pos
            runnable = (
                self._prefix[pos][0]
                if pos < len(self._prefix)
                else self._path[pos - len(self._prefix)].runnable
            )
            msg = (
                f"program is not deterministic: the run ended after {pos} decisions, "
                f"but the same decisions reached decision {pos} before, "
                f"with runnable {list(runnable)}"
            )
            raise NondeterministicProgram(msg, pos, list(runnable), None)


@declare(
    "exhaustive",
    usage="exhaustive[:BOUND]",
    summary="every schedule with at most BOUND preemptions (default 2), fewest first",
    order=40,
)
def _build(argument: str | None, seed: int) -> ExhaustiveStrategy:
    bound = parse_count(f"exhaustive:{argument}", argument, "BOUND", minimum=0)
    return ExhaustiveStrategy() if bound is None else ExhaustiveStrategy(preemption_bound=bound)
