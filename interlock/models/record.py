"""What one run produced (``RunRecord``) and what a checker says about it (``Verdict``).

``RunRecord``, ``Verdict`` and ``ThreadState`` are made on every run (a record, a
verdict per checker, a state per thread per snapshot), so each writes its own
``__init__``: the one a frozen dataclass generates sets each field with an
``object.__setattr__`` call, which costs about twice as much as filling the
instance dict in one ``update``. They stay frozen dataclasses otherwise (the
decorator still gives equality, hashing, the repr, ``replace`` and the
``__setattr__`` that refuses assignment); a test checks that each ``__init__``
takes exactly the fields, in order, with their defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from .events import Trace
from .payloads import ResultItem
from .tasks import Scenario

__all__ = [
    "CLOCK",
    "Crash",
    "OUTCOMES",
    "PROCESS_EXIT",
    "RunRecord",
    "Stop",
    "ThreadState",
    "Verdict",
]


class Stop(str, Enum):
    """Why a run ended: one vocabulary for the runtimes that stop runs and the checkers
    that read them.

    A ``RunRecord.outcome`` is one of ``OUTCOMES``; a controlled ``Execution.stop`` is
    ``ENDED`` (every thread ended; whether main returned or raised is the run's
    result) or one of the stops, ``EXITED`` and ``ERROR`` included. A ``str`` enum:
    members compare, hash, format and pickle as their values.
    """

    RETURNED = "returned"  # download_all returned (results is set)
    RAISED = "raised"  # download_all raised (crash is set)
    DEADLOCK = "deadlock"  # no thread could ever run again before download_all returned
    TIMEOUT = "timeout"  # the scenario's virtual-time budget ran out (busy or sleeping forever)
    SPIN = "spin"  # a thread ran too long without reaching a scheduling point
    STEP_BUDGET = "step_budget"  # too many scheduling decisions: livelock
    # The subject used something the runtime does not model (it starts a process,
    # or blocks in a call the scheduler cannot see): not judged on this runtime.
    UNSUPPORTED = "unsupported"
    ENDED = "ended"  # engine only: every thread ended
    EXITED = "exited"  # engine only: a thread called os._exit, where the process would end
    ERROR = "error"  # engine only: interlock's own error (a strategy's), raised to the caller
    # Engine only: the caller's real-time deadline passed while the run was going on. The
    # run is cut where it was and says nothing about the subject: it is never judged.
    CUT = "cut"

    def __str__(self) -> str:
        return self.value

    __format__ = str.__format__


# The names checkers and runtimes write.
RETURNED, RAISED, DEADLOCK = Stop.RETURNED, Stop.RAISED, Stop.DEADLOCK
TIMEOUT, SPIN, STEP_BUDGET = Stop.TIMEOUT, Stop.SPIN, Stop.STEP_BUDGET
UNSUPPORTED = Stop.UNSUPPORTED
# How a run of a subject can end, as a RunRecord says.
OUTCOMES = (RETURNED, RAISED, DEADLOCK, TIMEOUT, SPIN, STEP_BUDGET, UNSUPPORTED)
# The decision "let virtual time pass to the next timer", as it appears among a
# strategy's choices and in ``RunRecord.decisions`` (threads are numbered from 1).
CLOCK = 0
# Crash.type for os._exit called in a subject's thread (the controlled runtime ends
# the run there, as the process would end).
PROCESS_EXIT = "ProcessExit"


@dataclass(frozen=True, init=False)
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

    def __init__(
        self,
        name: str,
        alive: bool = True,
        daemon: bool = False,
        waiting_on: str | None = None,
        where: str | None = None,
        stack: tuple[str, ...] = (),
    ) -> None:
        self.__dict__.update(
            name=name, alive=alive, daemon=daemon, waiting_on=waiting_on, where=where, stack=stack
        )

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
    where: str | None = None  # the subject's innermost line it was raised through

    def describe(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type

    @classmethod
    def from_exception(
        cls,
        exc: BaseException,
        thread: str | None = None,
        where: str | None = None,
        *,
        guard: bool = True,
    ) -> Crash:
        """``exc`` as text; ``guard=False`` inside a controlled run (see ``_guarded``)."""
        import traceback

        from ._guarded import cause_chain, safe_str, str_is_builtin

        message = safe_str(exc, guard)
        if all(str_is_builtin(e) for e in cause_chain(exc)):
            tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        else:
            # The subject's own __str__ may loop or raise: the traceback is made from the
            # guarded text, without the chain (format_exception would call it unguarded).
            frames = "".join(traceback.format_tb(exc.__traceback__))
            last = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
            tb = f"Traceback (most recent call last):\n{frames}{last}\n"
        return cls(type(exc).__name__, message, tb, thread, where)


@dataclass(frozen=True, init=False)
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
    sliced: bool = False  # threads were preempted after a real-time slice (a busy-waiting subject)

    def __init__(
        self,
        subject: str,
        scenario: Scenario,
        runtime: str,
        trace: Trace,
        outcome: str,
        results: tuple[ResultItem, ...] | None = None,
        crash: Crash | None = None,
        threads_at_return: tuple[ThreadState, ...] = (),
        threads_at_end: tuple[ThreadState, ...] = (),
        blocked: tuple[ThreadState, ...] = (),
        diagnosis: str | None = None,
        thread_errors: tuple[Crash, ...] = (),
        virtual_time: float = 0.0,
        wall_time: float = 0.0,
        steps: int = 0,
        decisions: tuple[int, ...] = (),
        replay: str | None = None,
        notes: tuple[str, ...] = (),
        sliced: bool = False,
    ) -> None:
        self.__dict__.update(
            subject=subject,
            scenario=scenario,
            runtime=runtime,
            trace=trace,
            outcome=outcome,
            results=results,
            crash=crash,
            threads_at_return=threads_at_return,
            threads_at_end=threads_at_end,
            blocked=blocked,
            diagnosis=diagnosis,
            thread_errors=thread_errors,
            virtual_time=virtual_time,
            wall_time=wall_time,
            steps=steps,
            decisions=decisions,
            replay=replay,
            notes=notes,
            sliced=sliced,
        )

    @property
    def returned(self) -> bool:
        return self.outcome == RETURNED

    def with_replay(self, token: str | None) -> RunRecord:
        return replace(self, replay=token)


@dataclass(frozen=True, init=False)
class Verdict:
    """One invariant's answer for one run (or, aggregated, for one subject)."""

    invariant: str
    holds: bool
    message: str
    advisory: bool = False
    evidence: tuple[str, ...] = ()
    scenario: str | None = None
    replay: str | None = None

    def __init__(
        self,
        invariant: str,
        holds: bool,
        message: str,
        advisory: bool = False,
        evidence: tuple[str, ...] = (),
        scenario: str | None = None,
        replay: str | None = None,
    ) -> None:
        self.__dict__.update(
            invariant=invariant,
            holds=holds,
            message=message,
            advisory=advisory,
            evidence=evidence,
            scenario=scenario,
            replay=replay,
        )

    @property
    def status(self) -> str:
        if self.holds:
            return "pass"
        return "warn" if self.advisory else "FAIL"
