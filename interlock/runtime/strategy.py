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

__all__ = ["CLOCK", "Coverage", "Strategy"]


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

    Promise: the same constructor arguments and the same sequence of calls give
    the same answers, on every supported Python.
    """

    name: str

    def new_execution(self) -> bool: ...

    def next_thread(self, runnable: Sequence[int], current: int | None) -> int: ...

    def describe(self) -> str: ...

    def coverage(self) -> Coverage | None: ...

    def label(self) -> tuple[str, int]: ...
