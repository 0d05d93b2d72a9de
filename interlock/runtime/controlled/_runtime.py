"""The controlled runtime's public face: run a subject on a scenario, or any callable."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ...models import FakeDownloader, RunRecord, Scenario
from ...models.record import DEADLOCK, RAISED, RETURNED, SPIN, STEP_BUDGET, TIMEOUT
from .._harness import SubjectOutcome, call_subject
from . import _engine
from ._default_strategy import SeededRandom
from ._engine import Engine, Execution
from .strategy import Strategy

__all__ = [
    "ControlledResult",
    "ControlledRuntime",
    "RunStopped",
    "controlled_session",
    "run_controlled",
    "run_controlled_ex",
]

_STOP_TO_OUTCOME = {
    _engine.DEADLOCK: DEADLOCK,
    _engine.TIMEOUT: TIMEOUT,
    _engine.SPIN: SPIN,
    _engine.STEP_BUDGET: STEP_BUDGET,
    _engine.EXITED: RAISED,  # as the threads runtime reports a child that exited
}

_SHARED: Engine | None = None


def _shared_engine() -> Engine:
    global _SHARED
    if _SHARED is None:
        _SHARED = Engine()
    return _SHARED


class ControlledRuntime:
    """Runs a subject's real threading code on the controlled scheduler.

    ``max_steps`` bounds scheduling steps per run (livelock), ``spin_limit`` the
    real seconds one step may take. For many runs in a row, hold a session so
    the patches stay installed::

        with runtime.session():
            for strategy in strategies:
                record = runtime.run(subject, scenario, strategy)
    """

    name = "controlled"

    def __init__(
        self, max_steps: int = 200_000, spin_limit: float = 1.0, grace: float | None = None
    ) -> None:
        if max_steps < 1:
            msg = f"'max_steps' must be >= 1 (got {max_steps!r})"
            raise ValueError(msg)
        if not spin_limit > 0:
            msg = f"'spin_limit' must be > 0 seconds (got {spin_limit!r})"
            raise ValueError(msg)
        self.max_steps = max_steps
        self.spin_limit = spin_limit
        self.grace = grace
        self.engine = _shared_engine()

    def session(self):
        """Keep the patches installed across the runs made inside the block."""
        return self.engine.session()

    def run(self, subject, scenario: Scenario, strategy: Strategy) -> RunRecord:
        """One run of ``subject.download_all`` on ``scenario``; the caller prepared ``strategy``."""
        outcome = SubjectOutcome()
        box: list[FakeDownloader] = []

        def make_downloader() -> None:
            box.append(FakeDownloader(scenario))  # made inside thread 1: t0 is virtual 0

        def main() -> None:
            call_subject(subject.download_all, scenario, box[0], outcome)

        longest = max((t.duration for t in scenario.tasks), default=0.0)
        grace = self.grace if self.grace is not None else 10.0 + 2 * longest
        ex = self.engine.run(
            main,
            strategy=strategy,
            max_steps=self.max_steps,
            time_limit=scenario.time_budget,
            grace=grace,
            spin_limit=self.spin_limit,
            setup=make_downloader,
        )
        return record_from(
            subject.name, scenario, ex, box[0] if box else FakeDownloader(scenario), outcome
        )


def record_from(
    name: str, scenario: Scenario, ex: Execution, downloader, outcome: SubjectOutcome
) -> RunRecord:
    """Map an engine execution onto the runtime-neutral ``RunRecord``."""
    if ex.main_done:
        kind = RETURNED if outcome.returned else RAISED
    else:
        kind = _STOP_TO_OUTCOME.get(ex.stop, DEADLOCK)
    crash = outcome.crash
    if crash is None and ex.main_done and ex.exception is not None:
        from ...models import Crash

        crash = Crash.from_exception(ex.exception)
    thread_errors = ex.thread_errors
    if ex.exit is not None:
        if ex.main_done:  # after download_all returned: one of the threads it left
            thread_errors = (*thread_errors, ex.exit)
        else:  # its message names the thread already
            crash = replace(ex.exit, thread=None)
    return RunRecord(
        subject=name,
        scenario=scenario,
        runtime="controlled",
        trace=downloader.trace,
        outcome=kind,
        results=outcome.results,
        crash=crash,
        threads_at_return=ex.threads_at_return,
        threads_at_end=ex.threads_at_end,
        blocked=ex.blocked,
        diagnosis=ex.diagnosis,
        thread_errors=thread_errors,
        virtual_time=ex.virtual_time,
        wall_time=ex.wall_time,
        steps=ex.steps,
        decisions=ex.decisions,
        notes=ex.notes,
    )


@dataclass(frozen=True)
class ControlledResult:
    """``run_controlled_ex``'s answer: the callable's value or exception, and the run."""

    value: object
    exception: BaseException | None
    execution: Execution

    def unwrap(self):
        """The value, or raise what the callable raised (or why the run stopped)."""
        if self.exception is not None:
            raise self.exception
        return self.value


class RunStopped(RuntimeError):
    """``run_controlled``: the callable did not return (deadlock, timeout, spin, budget)."""

    def __init__(self, execution: Execution) -> None:
        self.execution = execution
        super().__init__(execution.diagnosis or execution.stop)


def run_controlled_ex(
    fn: Callable,
    *args,
    seed: int = 0,
    strategy: Strategy | None = None,
    max_steps: int = 200_000,
    time_limit: float = math.inf,
    grace: float = 10.0,
    spin_limit: float = 1.0,
    **kwargs,
) -> ControlledResult:
    """Run ``fn(*args, **kwargs)`` under the scheduler; never raises what ``fn`` raised.

    Without ``strategy``, a seeded random one (``seed``) picks every choice. A
    given strategy gets ``new_execution()`` called once here.
    """
    if strategy is None:
        strategy = SeededRandom(seed)
    strategy.new_execution()
    ex = _shared_engine().run(
        fn,
        args,
        kwargs,
        strategy=strategy,
        max_steps=max_steps,
        time_limit=time_limit,
        grace=grace,
        spin_limit=spin_limit,
    )
    if ex.main_done:
        return ControlledResult(ex.result, ex.exception, ex)
    return ControlledResult(None, RunStopped(ex), ex)


def run_controlled(fn: Callable, *args, seed: int = 0, strategy: Strategy | None = None, **kwargs):
    """Run ``fn(*args, **kwargs)`` on the controlled scheduler and return its result.

    What ``fn`` raised is raised here; if it never returned (deadlock, virtual
    timeout, spin, step budget) ``RunStopped`` is raised. Either exception, and
    the returned value's run, can be inspected through ``exc.__interlock__``
    (an ``Execution``); use ``run_controlled_ex`` to get it on success too.
    Keyword arguments ``max_steps``, ``time_limit``, ``grace`` and
    ``spin_limit`` go to the engine; all others go to ``fn``.
    """
    engine_keys = ("max_steps", "time_limit", "grace", "spin_limit")
    options = {k: kwargs.pop(k) for k in engine_keys if k in kwargs}
    result = run_controlled_ex(fn, *args, seed=seed, strategy=strategy, **options, **kwargs)
    if result.exception is not None:
        exc = result.exception
        try:
            exc.__interlock__ = result.execution
        except (AttributeError, TypeError):
            pass
        raise exc
    return result.value


@contextmanager
def controlled_session():
    """Keep the patches installed across several ``run_controlled`` calls."""
    with _shared_engine().session() as engine:
        yield engine
