"""Partial-order reduction: every schedule that can end differently, and no other.

Two schedules that differ only in the order of two steps touching different
objects (one thread takes lock A while another puts on queue B) end the same
way, so a search that runs both learns nothing from the second. This search
runs one schedule per order of *dependent* steps (Mazurkiewicz traces), which
is what lets a proof over every schedule of a small scenario finish.

How it goes, and where the ideas come from:

- Stateless depth-first search over the decisions, as the exhaustive search:
  each run replays a prefix of decisions, then goes its own way.
- Dynamic partial-order reduction (Flanagan and Godefroid, "Dynamic
  Partial-Order Reduction for Model Checking Software", POPL 2005), with the
  source sets of Abdulla, Aronis, Jonsson and Sagonas ("Optimal Dynamic Partial
  Order Reduction", POPL 2014): after each run, every *race* (two dependent
  steps of different threads, not ordered through other steps) is looked at;
  where the later step's side could have gone first, a branch that starts with
  it is added at the decision before the earlier step.
- Sleep sets (Godefroid, "Partial-Order Methods for the Verification of
  Concurrent Systems", 1996): a thread already explored at a decision sleeps in
  its siblings' branches until a step that depends on it runs, so no two runs
  are the same schedule up to reordering. A run that reaches a decision where
  every choice sleeps adds nothing; it is counted as redundant.

The engine tells it each step (``Step``: who ran, which synchronisation
objects it touched) through ``watch``; see ``controlled/_footprints`` for what
a step's objects are, and the one assumption: data shared by threads is
guarded by the synchronisation the search sees.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..strategy import CLOCK, EVERY, Coverage, Step
from ._errors import NondeterministicProgram, diverged
from ._registry import declare, parse_count

__all__ = ["DporStrategy"]


class _Node:
    """One decision on the current branch."""

    __slots__ = ("at", "choice", "current", "done", "runnable", "sleep", "spent", "todo")

    def __init__(self, runnable, current, at: int, choice: int, sleep: dict, spent: int) -> None:
        self.runnable = runnable
        self.current = current
        self.at = at  # index of the step that follows this decision
        self.choice = choice  # the branch being explored
        self.todo: list[int] = []  # branches still to explore
        self.done: dict[int, Step] = {}  # explored branch -> the step it began with
        self.sleep = sleep  # thread -> its step: covered by a sibling already
        self.spent = spent  # preemptions made before this decision

    def covered(self) -> set[int]:
        """The choices explored, to explore, or asleep here."""
        return self.done.keys() | self.sleep.keys() | set(self.todo) | {self.choice}

    def preempts(self, choice: int) -> bool:
        """Choosing ``choice`` here takes the CPU from a thread that could go on."""
        current = self.current
        return (current is not None and choice != current) or (
            choice == CLOCK and len(self.runnable) > 1
        )


class DporStrategy:
    """Every schedule up to reordering of independent steps; ``complete`` when done.

    ``max_schedules`` stops the search early. ``downloads_commute``: two download
    starts (or two ends) commute, as they do for the number in flight; leave it
    False when a check reads the order of the record's events.
    """

    name = "dpor"
    wants_steps = True

    def __init__(
        self,
        max_schedules: int | None = None,
        *,
        preemption_bound: int | None = None,
        downloads_commute: bool = False,
    ):
        if preemption_bound is not None and (
            type(preemption_bound) is not int or preemption_bound < 0
        ):
            msg = f"'preemption_bound' must be None or an int >= 0 (got {preemption_bound!r})"
            raise ValueError(msg)
        if max_schedules is not None and (type(max_schedules) is not int or max_schedules < 1):
            msg = f"'max_schedules' must be None or an int >= 1 (got {max_schedules!r})"
            raise ValueError(msg)
        self.max_schedules = max_schedules
        self.preemption_bound = preemption_bound
        self.downloads_commute = downloads_commute
        self.explored = 0  # runs started
        self.redundant = 0  # runs that reached a decision where every choice slept
        self.complete = False
        self._path: list[_Node] = []
        self._branch = -1  # index in _path of the decision whose choice changed
        self._steps: list[Step] = []
        self._pos = 0  # decisions made this run
        self._spent = 0  # preemptions made this run
        self._seen = 0  # steps looked at for the sleep set
        self._sleep: dict[int, Step] = {}
        self._awaiting: _Node | None = None  # a decision whose step has not ended yet
        self._blocked = False
        self._started = False
        self._stopped = False

    # -- the Strategy protocol -----------------------------------------------------------

    def watch(self, steps: list[Step]) -> None:
        self._steps = steps

    def new_execution(self) -> bool:
        if self.complete or self._stopped:
            return False
        if self._started:
            self._end_run()
            if not self._next_branch():
                self.complete = True
                return False
        if self.max_schedules is not None and self.explored >= self.max_schedules:
            self._stopped = True
            return False
        self._started = True
        self._pos = 0
        self._spent = 0
        self._seen = 0
        self._sleep = {}
        self._awaiting = None
        self._blocked = False
        self.explored += 1
        return True

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int:
        if not self._started:
            msg = "DporStrategy.next_thread() was called before new_execution()"
            raise RuntimeError(msg)
        pos = self._pos
        self._pos = pos + 1
        path = self._path
        if pos < len(path):
            node = path[pos]
            if node.runnable != tuple(runnable) or node.current != current:
                diverged(pos, node.runnable, node.current, runnable, current)
            if pos == self._branch:
                self._enter_branch(node)
            self._spent += node.preempts(node.choice)
            return node.choice
        self._catch_up()
        order = _order(runnable, current)
        if self._blocked:
            return order[0]
        node = _Node(tuple(runnable), current, len(self._steps), order[0], {}, self._spent)
        sleep = self._sleep
        pick = next((c for c in order if c not in sleep and self._allowed(node, c)), None)
        if pick is None:
            # Every choice here is covered by an explored run (or out of bounds).
            self._blocked = True
            self.redundant += 1
            return order[0]
        node.choice = pick
        node.sleep = dict(sleep)
        path.append(node)
        self._awaiting = node
        self._spent += node.preempts(pick)
        return pick

    def _allowed(self, node: _Node, choice: int) -> bool:
        bound = self.preemption_bound
        return bound is None or node.spent < bound or not node.preempts(choice)

    def describe(self) -> str:
        if self.preemption_bound is None:
            return "dpor"
        return f"dpor(preemptions<={self.preemption_bound})"

    def coverage(self) -> Coverage | None:
        space = "every order of dependent steps"
        if self.preemption_bound is not None:
            bound = self.preemption_bound
            space += f" with up to {bound} preemption{'s' if bound != 1 else ''}"
        return Coverage(self.complete, self.explored, space)

    def label(self) -> tuple[str, int]:
        if self.preemption_bound is None:
            return "dpor", 0
        return f"dpor:{self.preemption_bound}", 0

    def __repr__(self) -> str:
        return (
            f"DporStrategy(max_schedules={self.max_schedules!r}, "
            f"downloads_commute={self.downloads_commute!r})"
        )

    # -- during a run -----------------------------------------------------------------

    def _enter_branch(self, node: _Node) -> None:
        """The decision whose choice changed: what was explored here sleeps."""
        sleep = {q: s for q, s in node.sleep.items() if q != node.choice}
        sleep.update((q, s) for q, s in node.done.items() if q != node.choice)
        self._sleep = sleep
        self._seen = node.at  # the steps before were replayed: nothing sleeps there
        self._awaiting = node

    def _catch_up(self) -> None:
        """Look at the steps that ended since: note each decision's first step, and wake
        the sleepers each step depends on."""
        steps = self._steps
        for index in range(self._seen, len(steps)):
            step = steps[index]
            node = self._awaiting
            if node is not None and index == node.at:
                node.done[node.choice] = step
                self._awaiting = None
            if self._sleep:
                self._sleep = {
                    q: s for q, s in self._sleep.items() if q != step.tid and not s.depends(step)
                }
        self._seen = len(steps)

    # -- between runs ------------------------------------------------------------------

    def _end_run(self) -> None:
        self._catch_up()
        if self._pos <= self._branch:
            msg = (
                f"program is not deterministic: the run ended after {self._pos} decisions, "
                f"but the same decisions reached decision {self._branch} before"
            )
            raise NondeterministicProgram(msg, self._pos, None, None)
        if not self._blocked:
            at = {node.at: node for node in self._path}
            for i, j, clocks, counts in _races(self._steps):
                node = at.get(i)
                if node is not None:  # else no decision there: nothing else could run
                    self._reverse(node, i, j, clocks, counts)

    def _reverse(self, node: _Node, i: int, j: int, clocks: list, counts: list) -> None:
        """Race ``i`` < ``j``: make sure a branch at ``node``, the decision before ``i``,
        lets a thread go first that leads to ``j`` happening before ``i``."""
        steps = self._steps
        ti = steps[i].tid
        after_i = counts[i]
        first: dict[int, int] = {}  # thread -> its first step not ordered after i
        unordered = [k for k in range(i + 1, j) if clocks[k][ti] < after_i]
        unordered.append(j)
        for k in unordered:
            first.setdefault(steps[k].tid, k)
        initials = [
            t
            for t, k in first.items()
            if not any(r != t and clocks[k][r] >= counts[m] for r, m in first.items())
        ]
        covered = node.covered()
        if any(t in covered for t in initials):
            return
        # A thread that could not run before ``i`` was made runnable by ``i`` itself
        # (woken, started, or its time came): every other way to wake a thread is a
        # dependency, so it would not be an initial. Such a race cannot be reversed.
        startable = [t for t in initials if t in node.runnable]
        if not startable:
            return
        tj = steps[j].tid
        choice = tj if tj in startable else startable[0]
        if self._allowed(node, choice):
            node.todo.append(choice)
        if self.preemption_bound is not None:
            self._reverse_at_switch(i, initials)

    def _reverse_at_switch(self, i: int, initials: list[int]) -> None:
        """With a preemption bound, going first right before ``i`` may be out of bounds
        where going first when the thread of ``i`` was last given the CPU is not: try
        there too (after Coons, Musuvathi and McKinley, "Bounded Partial-Order
        Reduction", OOPSLA 2013)."""
        steps = self._steps
        ti = steps[i].tid
        k = i
        while k > 0 and steps[k - 1].tid == ti:
            k -= 1
        earlier = None
        for candidate in self._path:
            if candidate.at > k:
                break
            earlier = candidate
        if earlier is None:
            return
        covered = earlier.covered()
        if any(t in covered for t in initials):
            return
        for t in initials:
            if t in earlier.runnable and self._allowed(earlier, t):
                earlier.todo.append(t)
                return

    def _next_branch(self) -> bool:
        """The deepest decision with a branch left to explore; False when none is left."""
        path = self._path
        while path:
            node = path[-1]
            while node.todo:
                choice = node.todo.pop(0)
                if choice in node.done or choice in node.sleep or choice == node.choice:
                    continue
                node.choice = choice
                self._branch = len(path) - 1
                return True
            path.pop()
        return False


def _order(runnable: Sequence[int], current: int | None) -> list[int]:
    """Choices in the order they are tried: ``current`` goes on, then threads by id,
    time passing last."""
    order = [c for c in runnable if c != CLOCK and c != current]
    if current in runnable:
        order.insert(0, current)
    if CLOCK in runnable:
        order.append(CLOCK)
    return order


def _races(steps: list[Step]):
    """The races of a run, with each step's vector clock and its count in its thread.

    Happens-before is program order, each step's ``after``, and the order of
    dependent steps. ``i`` races with ``j`` when they depend on each other, belong to
    different threads, and nothing else orders ``i`` before ``j``. A clock is a list
    indexed by thread id (``CLOCK`` is 0).
    """
    width = max((step.tid for step in steps), default=0) + 1
    empty = [0] * width
    clocks: list[list[int]] = []
    counts: list[int] = []
    last_of: dict[int, int] = {}  # thread -> index of its last step
    last_key: dict[object, dict[int, int]] = {}  # key -> thread -> its last step on it
    last_every = -1
    races = []
    for j, step in enumerate(steps):
        tid = step.tid
        before = last_of.get(tid)
        clock = clocks[before][:] if before is not None else empty[:]
        after = step.after
        if 0 <= after < j:
            clock = [max(a, b) for a, b in zip(clock, clocks[after], strict=True)]
        if EVERY in step.keys:
            candidates = set(last_of.values())
        else:
            candidates = {k for key in step.conflicts for k in last_key.get(key, {}).values()}
            if last_every >= 0:
                candidates.add(last_every)
        for i in sorted(candidates, reverse=True):
            other = steps[i].tid
            if other == tid:
                continue
            if clock[other] < counts[i]:
                races.append((i, j))
            clock = [max(a, b) for a, b in zip(clock, clocks[i], strict=True)]
        n = clock[tid] + 1
        clock[tid] = n
        clocks.append(clock)
        counts.append(n)
        last_of[tid] = j
        for key in step.keys:
            last_key.setdefault(key, {})[tid] = j
        if EVERY in step.keys:
            last_every = j
    return [(i, j, clocks, counts) for i, j in races]


@declare(
    "dpor",
    usage="dpor[:BOUND]",
    summary="every schedule up to reordering of independent steps (at most BOUND preemptions)",
    order=45,
)
def _build(argument: str | None, seed: int) -> DporStrategy:
    bound = parse_count(f"dpor:{argument}", argument, "BOUND", minimum=0)
    return DporStrategy(preemption_bound=bound)
