"""What one run produced (``RunRecord``) and what a checker says about it (``Verdict``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .events import Trace
from .payloads import ResultItem
from .tasks import Scenario

__all__ = ["Crash", "RunRecord", "ThreadState", "Verdict"]

# How a run ended. Checkers read these; runtimes produce them.
RETURNED = "returned"  # download_all returned (results is set)
RAISED = "raised"  # download_all raised (crash is set)
DEADLOCK = "deadlock"  # no thread could ever run again before download_all returned
TIMEOUT = "timeout"  # the scenario's virtual-time budget ran out (busy or sleeping forever)
SPIN = "spin"  # a thread ran too long without reaching a scheduling point
STEP_BUDGET = "step_budget"  # too many scheduling decisions: livelock
OUTCOMES = (RETURNED, RAISED, DEADLOCK, TIMEOUT, SPIN, STEP_BUDGET)


@dataclass(frozen=True)
class ThreadState:
    """A thread as the runtime saw it at one moment.

    ``waiting_on`` says what it is blocked in ("Queue.get", "Lock held by worker-2",
    "join(Thread-3)", "sleep until t=5.000s"), or None if runnable or finished.
    ``where`` is the subject's own source line ("article.py:47 in run").
    """

    name: str
    alive: bool = True
    daemon: bool = False
    waiting_on: str | None = None
    where: str | None = None
    stack: tuple[str, ...] = ()

    def describe(self) -> str:
        what = self.waiting_on or ("running" if self.alive else "finished")
        at = f" at {self.where}" if self.where else ""
        return f"{self.name}: {what}{at}"


@dataclass(frozen=True)
class Crash:
    """An exception, reduced to text so it survives pickling."""

    type: str
    message: str
    traceback: str = ""
    thread: str | None = None

    def describe(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type

    @classmethod
    def from_exception(cls, exc: BaseException, thread: str | None = None) -> Crash:
        import traceback

        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(type(exc).__name__, str(exc), tb, thread)


@dataclass(frozen=True)
class RunRecord:
    """Everything one run of one subject on one scenario produced."""

    subject: str
    scenario: Scenario
    runtime: str
    trace: Trace
    outcome: str
    results: tuple[ResultItem, ...] | None = None
    crash: Crash | None = None
    threads_at_return: tuple[ThreadState, ...] = ()
    threads_at_end: tuple[ThreadState, ...] = ()
    blocked: tuple[ThreadState, ...] = ()
    diagnosis: str | None = None
    thread_errors: tuple[Crash, ...] = ()
    virtual_time: float = 0.0
    wall_time: float = 0.0
    steps: int = 0
    decisions: tuple[int, ...] = ()
    replay: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def returned(self) -> bool:
        return self.outcome == RETURNED

    def with_replay(self, token: str | None) -> RunRecord:
        return replace(self, replay=token)


@dataclass(frozen=True)
class Verdict:
    """One invariant's answer for one run (or, aggregated, for one subject)."""

    invariant: str
    holds: bool
    message: str
    advisory: bool = False
    evidence: tuple[str, ...] = ()
    scenario: str | None = None
    replay: str | None = None

    @property
    def status(self) -> str:
        if self.holds:
            return "pass"
        return "warn" if self.advisory else "FAIL"
