"""The ``Runtime`` protocol, what it yields, and the declared runtimes."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple, Protocol

from ..models import Budget, InvalidSetting, RunRecord, Scenario, Settings, Story, Subject
from .strategy import Coverage

__all__ = [
    "RUNTIMES",
    "OutOfTime",
    "Runtime",
    "Trial",
    "Trials",
    "make_runtime",
    "runtime_names",
]


class OutOfTime(Exception):  # noqa: N818 - a condition, as StopIteration is
    """A run was cut because the deadline given to ``Runtime.set_deadline`` passed while
    it went on. The run is not judged: what it did so far says nothing of the subject."""


class Trial(NamedTuple):
    """One run of a scenario, and what names its schedule in a replay token.

    ``strategy`` is the spec and ``seed`` the seed of the strategy that chose
    this run's schedule (None when the OS chose it).
    """

    record: RunRecord
    strategy: str | None
    seed: int


class Trials:
    """The runs a runtime makes of one scenario, one at a time (a caller may stop early).

    ``coverage()``, once iteration is over or abandoned, says what a strategy that
    can finish covered (None when nothing can be said).
    """

    def __init__(
        self, runs: Iterable[Trial], coverage: Callable[[], Coverage | None] = lambda: None
    ) -> None:
        self._runs = iter(runs)
        self.coverage = coverage

    def __iter__(self) -> Iterator[Trial]:
        return self._runs


class Runtime(Protocol):
    """What the conductor asks of a runtime. Who calls what, and when:

    - ``name``: shown in reports and carried in replay tokens.
    - ``exact``: whether verdicts are independent of how busy the machine is.
    - ``replayable``: whether ``replay`` can run a recorded schedule again (only
      then are violations minimised and given replay tokens).
    - ``default_budget``: the budget a verification uses where the settings
      leave a field unset.
    - ``session()``: around every run of one subject (set-up paid once).
    - ``trials(subject, scenario, runs, key=...)``: up to ``runs`` varied runs of
      one scenario; ``key`` names the scenario so that seeds derived for it are
      its own. The runtime may make fewer (a finished search, a big scenario).
    - ``replay(subject, scenario, decisions, then=...)``: one run following the
      recorded ``decisions``; ``then=None`` means every decision must fit (None is
      returned when they do not), ``then="baseline"`` means carry on without
      preemption after them (how a schedule is cut to a prefix).
    - ``observe(subject, scenario, decisions)``: the run ``decisions`` make again,
      with the ``Story`` of how it went (where each thread was at each step), or
      None when the runtime cannot tell it (real threads) or the decisions no
      longer fit. Only the runs a report explains are observed.
    - ``notes(subject)``: what a report should say about running this subject on
      this runtime (a limit of the runtime it would otherwise hide).
    - ``set_deadline(when)``: a real-time deadline (``time.perf_counter``; ``math.inf``
      for none) for every run from now on. A run still going on when it passes may be
      cut: ``trials``, ``replay`` and ``observe`` then raise ``OutOfTime``. A runtime
      whose every run is short by construction may ignore it.
    """

    name: str
    exact: bool
    replayable: bool
    default_budget: Budget

    def session(self) -> AbstractContextManager[object]: ...

    def trials(self, subject: Subject, scenario: Scenario, runs: int, *, key: str) -> Trials: ...

    def replay(
        self,
        subject: Subject,
        scenario: Scenario,
        decisions: Sequence[int],
        *,
        then: str | None = None,
    ) -> RunRecord | None: ...

    def observe(
        self, subject: Subject, scenario: Scenario, decisions: Sequence[int]
    ) -> tuple[RunRecord, Story] | None: ...

    def notes(self, subject: Subject) -> list[str]: ...

    def set_deadline(self, when: float) -> None: ...


# name -> (module, factory): each factory builds the runtime from the settings.
RUNTIMES: dict[str, tuple[str, str]] = {
    "controlled": ("interlock.runtime.controlled", "ControlledRuntime"),
    "threads": ("interlock.runtime.threads", "ThreadsRuntime"),
}


def runtime_names() -> list[str]:
    return list(RUNTIMES)


def make_runtime(settings: Settings) -> Runtime:
    """The runtime ``settings.runtime`` names, configured from the settings."""
    entry = RUNTIMES.get(settings.runtime)
    if entry is None:
        msg = f"unknown runtime {settings.runtime!r} (choose {' or '.join(RUNTIMES)})"
        raise InvalidSetting(msg)
    module, factory = entry
    return getattr(importlib.import_module(module), factory).from_settings(settings)
