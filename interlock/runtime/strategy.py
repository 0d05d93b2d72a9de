"""The interface between the controlled engine and a scheduling strategy.

The engine never imports a strategy; it is handed one. Each strategy is one
short module in ``interlock/runtime/strategies/``, declared there by name.

Thread ids are small integers the engine gives threads in creation order
(the subject's main thread is 1), so they are the same in every run that makes
the same decisions. ``CLOCK`` (0) stands for "advance virtual time to the next
timer": it is offered among the choices whenever a timer is pending while some
thread can still run, so that a download may finish while another thread is
descheduled, and a timed wait may end by timeout or by notification.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from ..models.record import CLOCK

__all__ = ["CLOCK", "EVERY", "Coverage", "Step", "Strategy"]

# A step that every other step depends on: time passing, the main thread's return.
EVERY = -1


class Step(NamedTuple):
    """What one thread did between two scheduling points, for a strategy that asks.

    ``tid`` ran it (``CLOCK`` for time passing); ``keys`` are what it touched (the
    synchronisation objects, the clock...) and ``conflicts`` the keys of other steps
    it does not commute with: the same objects, except for kinds of key that commute
    among themselves (two download starts, two timers set). A step whose keys hold
    ``EVERY`` depends on every step. ``after`` is the index of a step it cannot come
    before although it touches nothing in common with it (the start of its thread,
    the time passing that ended its wait), or -1.
    """

    tid: int
    keys: frozenset
    conflicts: frozenset
    after: int = -1

    def depends(self, other: Step) -> bool:
        if EVERY in self.keys or EVERY in other.keys:
            return True
        return not self.keys.isdisjoint(other.conflicts) or not other.keys.isdisjoint(
            self.conflicts
        )


class Coverage(NamedTuple):
    """What a strategy that can finish has explored so far.

    ``complete``: every schedule of its space has been run. ``explored``: how
    many schedules (executions) it started. ``space``: its space in words,
    e.g. ``"exhaustive(preemptions<=2)"``.
    """

    complete: bool
    explored: int
    space: str

    def describe(self) -> str:
        if self.complete:
            return f"explored all {self.explored} schedules of {self.space}"
        return f"stopped after {self.explored} schedules of {self.space} (raise --runs to go on)"


class Strategy(Protocol):
    """Who calls what, and when:

    - ``new_execution()``: the caller, once before each run. Returns False when
      the strategy has nothing left to explore (exhaustive search is done);
      the caller then stops asking for runs.
    - ``next_thread(runnable, current)``: the engine, at every scheduling point
      where there is a real choice (two or more entries in ``runnable``).
      ``runnable`` is sorted ascending and may contain ``CLOCK``; ``current`` is
      the thread that reached the point if it can go on running, else None.
      Must return an element of ``runnable``.
    - ``describe()``: a short name with parameters, e.g. ``"pct(d=3)"``.
    - ``coverage()``: the caller, after runs: a ``Coverage`` for a strategy whose
      space can be exhausted, None for one that never runs out (random, PCT).
    - ``label()``: the caller, after ``new_execution()``: the ``(spec, seed)`` that
      names this execution's schedule in a replay token (a strategy that runs a
      series of others names the one in charge of this execution).

    A strategy that reasons about which steps commute (partial-order reduction)
    sets ``wants_steps = True``; the engine then calls ``watch(steps)`` before each
    run with a list it appends a ``Step`` to as each one ends.

    Promise: the same constructor arguments and the same sequence of calls give
    the same answers, on every supported Python.
    """

    name: str

    def new_execution(self) -> bool: ...

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int: ...

    def describe(self) -> str: ...

    def coverage(self) -> Coverage | None: ...

    def label(self) -> tuple[str, int]: ...
