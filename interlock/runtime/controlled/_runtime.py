"""The controlled runtime's public face: run a subject on a scenario, or any callable."""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from ...models import (
    Budget,
    Crash,
    FakeDownloader,
    InvalidSetting,
    RunRecord,
    Scenario,
    Settings,
    Stop,
    Subject,
    ThreadState,
)
from ...models.story import Story
from .._harness import SubjectOutcome, call_subject
from .._protocol import OutOfTime, Trial, Trials
from ..strategies import (
    BASELINE,
    NondeterministicProgram,
    RandomStrategy,
    ReplayStrategy,
    for_exploration,
)
from ..strategies import make_strategy as _make_strategy
from ..strategy import Strategy
from ._engine import Engine, Execution
from ._imports import ImportedObjects, scan
from ._locals import shared_locals_note
from ._story import Observer

__all__ = [
    "ControlledResult",
    "ControlledRuntime",
    "RunStopped",
    "controlled_session",
    "record_from",
    "run_controlled",
    "run_controlled_ex",
]

_SHARED: Engine | None = None

# Schedules per scenario are cut for big scenarios (each run costs in proportion to
# its size): at most this many URLs get the full count.
_FULL_RUNS_UP_TO = 50
# A subject seen to busy-wait is run from then on with time slices of this many real
# seconds: a thread that runs that long without a scheduling point is preempted.
SLICE = 0.002

# The step budget grows with the scenario: every URL may take a thread a few hundred
# scheduling steps (a pool that polls spends them waiting), so a correct subject stays
# within it at any size, while a livelock still exhausts it.
_STEPS_PER_TASK = 1_000


# The longest scripted download of the few scenarios run last: {id: (scenario, longest)}.
# A run's grace is made of it, and an exploration runs one scenario thousands of times
# (500 tasks in ``article``); holding the scenario keeps its id from being reused.
_LONGEST: dict[int, tuple[Scenario, float]] = {}
_LONGEST_KEPT = 8


def _keep_longest(scenario: Scenario) -> tuple[Scenario, float]:
    if len(_LONGEST) >= _LONGEST_KEPT:
        del _LONGEST[next(iter(_LONGEST))]
    kept = _LONGEST[id(scenario)] = (
        scenario,
        max((t.duration for t in scenario.tasks), default=0.0),
    )
    return kept


def _shared_engine() -> Engine:
    global _SHARED
    if _SHARED is None:
        _SHARED = Engine()
    return _SHARED


class ControlledRuntime:
    """Runs a subject's real threading code on the controlled scheduler.

    ``strategy`` is the spec of the strategy ``trials`` explores with, ``seed``
    its seed; ``max_steps`` bounds scheduling steps per run (livelock),
    ``spin_limit`` the real seconds one step may take. For many runs in a row,
    hold a session so the patches stay installed::

        with runtime.session():
            for strategy in strategies:
                record = runtime.run(subject, scenario, strategy)
    """

    name = "controlled"
    exact = True
    replayable = True
    default_budget = Budget(
        runs=150, generated=80, generated_runs=25, shrink_calls=200, seconds=40.0
    )

    def __init__(
        self,
        max_steps: int = 200_000,
        spin_limit: float = 1.0,
        grace: float | None = None,
        *,
        strategy: str = "mix",
        seed: int = 0,
        sliced: bool = False,
    ) -> None:
        if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:
            msg = f"'max_steps' must be an integer >= 1 (got {max_steps!r})"
            raise InvalidSetting(msg)
        if not isinstance(spin_limit, (int, float)) or not spin_limit > 0:
            msg = f"'spin_limit' must be > 0 seconds (got {spin_limit!r})"
            raise InvalidSetting(msg)
        _make_strategy(strategy, seed)  # a bad spec fails here, once
        self.max_steps = max_steps
        self.spin_limit = spin_limit
        self.grace = grace
        self.strategy = strategy
        self.seed = seed
        self.engine = _shared_engine()
        self.sliced = sliced  # time slices from the first run on (a replay of such a run)
        self._slicing = sliced  # time slices now: from the start, or since a run spun
        self._slicing_note: str | None = None
        # Per function scanned, per session: {id: (function, what it made at import)}.
        self._imported: dict[int, tuple[Callable, ImportedObjects]] = {}
        self._deadline = math.inf  # see set_deadline

    @classmethod
    def from_settings(cls, settings: Settings) -> ControlledRuntime:
        return cls(strategy=settings.strategy, seed=settings.seed)

    def session(self):
        """Keep the patches installed across the runs made inside the block (one subject:
        what a run learnt about it, such as that it busy-waits, lasts the session)."""
        self._slicing = self.sliced
        self._slicing_note = None
        self._imported = {}
        return self.engine.session()

    def set_deadline(self, when: float) -> None:
        """Runs still going on at ``when`` (``time.perf_counter``) are cut at their next
        scheduling point, and ``OutOfTime`` is raised (a spin is stopped as ever)."""
        self._deadline = when

    def notes(self, subject: Subject) -> list[str]:
        notes = [self._slicing_note] if self._slicing_note else []
        imported = self.imports_of(subject.download_all)
        note = shared_locals_note(subject.download_all, modelled=imported.originals())
        return notes + imported.notes + ([note] if note else [])

    def imports_of(self, fn: Callable) -> ImportedObjects:
        """The locks, thread-locals and clocks ``fn``'s world made at import: found once a
        session, swapped for modelled ones around every run of ``fn``."""
        key = id(fn)
        found = self._imported.get(key)
        if found is None or found[0] is not fn:  # held with fn: its id cannot be reused
            found = self._imported[key] = (fn, scan(fn, self.engine.clock_replacements()))
        return found[1]

    def execute(
        self,
        fn: Callable,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        strategy: Strategy,
        world: Callable | None = None,
        again: Callable[[Execution], Strategy | None] | None = None,
        **options,
    ) -> Execution:
        """One run of ``fn(*args, **kwargs)`` under ``strategy`` (prepared by the caller),
        as every run of this runtime goes: what ``world`` (default ``fn``: whose module,
        closure and defaults are walked) made at import is swapped for modelled objects
        around it, and, once the code was seen to busy-wait, threads get time slices.
        ``again(spun)`` makes a fresh strategy for the schedule of the execution ``spun``
        (see ``same_schedule``): given, a run that spins while slices are off turns them
        on and is made again with them. ``options`` go to ``Engine.run``."""
        if not self.engine._session_depth:  # slices need a session; runs in one pay nothing
            with self.engine.session():
                return self.execute(
                    fn, args, kwargs, strategy=strategy, world=world, again=again, **options
                )
        ex = self._execute(fn, args, kwargs, strategy, world, options)
        if again is not None and self._busy_waits(ex.stop, ex.blocked or ex.threads_at_end):
            retry = again(ex)
            if retry is not None:  # the same schedule, now with time slices
                ex = self._execute(fn, args, kwargs, retry, world, options)
        return ex

    def _execute(self, fn, args, kwargs, strategy, world, options) -> Execution:
        imported = self.imports_of(fn if world is None else world)
        if imported:
            imported.swap_in()
        try:
            return self.engine.run(
                fn,
                args,
                kwargs,
                strategy=strategy,
                slice=SLICE if self._slicing else None,
                **options,
            )
        finally:
            if imported:
                imported.swap_out()

    @staticmethod
    def same_schedule(strategy: Strategy) -> Callable[[Execution], Strategy | None]:
        """For ``execute``'s ``again``: the schedule ``strategy`` is making now, made
        afresh: a series' run by its label; a search's (one tree for all its runs) by
        the spun run's decisions, the baseline's choices after them."""
        spec, seed = strategy.label()

        def again(spun: Execution) -> Strategy:
            made = _remake(strategy, spec, seed)
            if made is None:
                made = ReplayStrategy(spun.decisions, then=BASELINE)
                made.new_execution()
            return made

        return again

    @staticmethod
    def busy_wait_note(who: str, where: str = "") -> str:
        """Why threads got time slices: ``who`` (the subject, a function) busy-waits
        (``where``: which thread, at which line)."""
        return (
            f"{who} busy-waits{where}: from then on a thread that ran {SLICE * 1000:g} ms "
            "of real time without reaching a scheduling point was preempted, as an OS would"
        )

    @property
    def slicing_note(self) -> str | None:
        """Why threads got time slices in this session (the code busy-waits), if they did."""
        return self._slicing_note

    def run(
        self, subject: Subject, scenario: Scenario, strategy: Strategy, *, downloader=FakeDownloader
    ) -> RunRecord:
        """One run of ``subject.download_all`` on ``scenario``; the caller prepared ``strategy``.
        ``downloader(scenario)`` makes the fake downloader (an observed one, to explain)."""
        outcome = SubjectOutcome()
        box: list[FakeDownloader] = []
        if downloader is FakeDownloader and getattr(strategy, "wants_steps", False):
            # Its downloads are steps too: made by the run's notes of what steps touch.
            def downloader(scenario):
                return self.engine.footprints.downloader(scenario)

        def make_downloader() -> None:
            made = downloader(scenario)  # made inside thread 1: t0 is virtual 0
            made.use_names(self.engine.names)  # who downloads, named as the run's threads are
            box.append(made)

        def main() -> None:
            call_subject(subject.download_all, scenario, box[0], outcome, classify=False)

        def stopped() -> None:
            if box:
                box[0].close()

        grace = self.grace
        if grace is None:
            kept = _LONGEST.get(id(scenario))
            if kept is None or kept[0] is not scenario:
                kept = _keep_longest(scenario)
            grace = 10.0 + 2 * kept[1]
        ex = self.execute(
            main,
            strategy=strategy,
            world=subject.download_all,
            max_steps=self.max_steps + _STEPS_PER_TASK * len(scenario.tasks),
            time_limit=scenario.time_budget,
            grace=grace,
            spin_limit=self.spin_limit,
            setup=make_downloader,
            on_stop=stopped,
            deadline=self._deadline,
            fn_name="download_all",
        )
        if ex.stop == Stop.CUT:
            msg = f"{subject.name} on {scenario.name}: the deadline passed during a run"
            raise OutOfTime(msg)
        made = box[0] if box else FakeDownloader(scenario)
        return record_from(subject.name, scenario, ex, made, outcome)

    def trials(
        self,
        subject: Subject,
        scenario: Scenario,
        runs: int,
        *,
        key: str,
        skip: Callable[[int], bool] | None = None,
    ) -> Trials:
        """Up to ``runs`` schedules of ``scenario`` from the configured strategy (fewer for
        a big scenario, or when a search finishes); ``key`` seeds them. ``skip(i)`` true:
        run ``i`` is not handed on (another shard's); it is not even made when the
        strategy's runs do not depend on each other (a series: each run is its own
        seeded strategy), only when they do (a search walks one tree)."""
        if len(scenario.tasks) > _FULL_RUNS_UP_TO:
            runs = min(runs, max(3, runs * (_FULL_RUNS_UP_TO // 2) // len(scenario.tasks)))
        strategy = for_exploration(self.strategy, self.seed, key)
        independent = getattr(strategy, "independent_runs", False)

        def each() -> Iterator[Trial]:
            for i in range(runs):
                if not strategy.new_execution():
                    return
                skipped = skip is not None and skip(i)
                if skipped and independent:
                    continue
                spec, seed = strategy.label()
                record = self.run(subject, scenario, strategy)
                if record.outcome == Stop.SPIN and self._busy_waits(Stop.SPIN, record.blocked):
                    again = _remake(strategy, spec, seed)
                    if again is not None:  # the same schedule, now with time slices
                        record = self.run(subject, scenario, again)
                if not skipped:
                    yield Trial(record, spec, seed)

        return Trials(each(), strategy.coverage)

    def _busy_waits(self, stop: Stop, states: Sequence[ThreadState]) -> bool:
        """A run stopped because a thread ran without a scheduling point (``states``: its
        threads then): the code busy-waits. From now on, run it with time slices, if the
        engine can."""
        if stop != Stop.SPIN or self._slicing or not self.engine.can_slice:
            return False
        spinner = next(
            (t for t in states if (t.waiting_on or "").startswith("running without")),
            None,
        )
        self._slicing = True
        where = f" ({spinner.name} at {spinner.where})" if spinner and spinner.where else ""
        self._slicing_note = self.busy_wait_note("the subject", where)
        return True

    def replay(
        self,
        subject: Subject,
        scenario: Scenario,
        decisions: Sequence[int],
        *,
        then: str | None = None,
    ) -> RunRecord | None:
        strategy = ReplayStrategy(decisions, then=then)
        strategy.new_execution()
        try:
            # A replay is evidence, not a report: what the subject prints is not shown.
            with contextlib.redirect_stdout(io.StringIO()):
                return self.run(subject, scenario, strategy)
        except NondeterministicProgram:
            return None

    def observe(
        self, subject: Subject, scenario: Scenario, decisions: Sequence[int]
    ) -> tuple[RunRecord, Story] | None:
        """The run ``decisions`` make of ``scenario`` again, and the story of how it went
        (see ``_story``); None when the decisions no longer fit."""
        observer = Observer(self.engine)
        strategy = ReplayStrategy(decisions)
        strategy.new_execution()
        with self.session():
            observer.install()
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    record = self.run(subject, scenario, strategy, downloader=observer.downloader)
            except NondeterministicProgram:
                return None
            finally:
                observer.uninstall()
        return record, observer.story()


def _remake(strategy: Strategy, spec: str, seed: int) -> Strategy | None:
    """A strategy that makes again the execution labelled (spec, seed), or None when the
    label cannot (a search that can finish keeps one tree for all its executions)."""
    if strategy.coverage() is not None:
        return None
    again = ReplayStrategy((), then=BASELINE) if spec == BASELINE else _make_strategy(spec, seed)
    again.new_execution()
    return again


def record_from(
    name: str, scenario: Scenario, ex: Execution, downloader, outcome: SubjectOutcome
) -> RunRecord:
    """Map an engine execution onto the runtime-neutral ``RunRecord``."""
    outcome.classify(scenario)  # here, in the hub: not a step of any thread
    if ex.main_done:
        kind = Stop.RETURNED if outcome.returned else Stop.RAISED
    elif ex.stop == Stop.EXITED:
        kind = Stop.RAISED  # as the threads runtime reports a child that exited
    else:
        kind = ex.stop
    # What download_all raised while a stopped run was being unwound (Condition.wait's
    # "release unlocked lock", say) is not its doing: only a finished call has a crash.
    crash = outcome.crash if ex.main_done else None
    if crash is None and ex.main_done and ex.exception is not None:
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
        sliced=ex.sliced,
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


def _strategy_of(strategy: Strategy | str | None, seed: int) -> Strategy:
    if strategy is None:
        return RandomStrategy(seed, clock_bias=None)
    if isinstance(strategy, str):
        return _make_strategy(strategy, seed)
    return strategy


def run_controlled_ex(
    fn: Callable,
    *args,
    seed: int = 0,
    strategy: Strategy | str | None = None,
    max_steps: int = 200_000,
    time_limit: float = math.inf,
    grace: float = 10.0,
    spin_limit: float = 1.0,
    **kwargs,
) -> ControlledResult:
    """Run ``fn(*args, **kwargs)`` under the scheduler; never raises what ``fn`` raised.

    ``strategy`` is a strategy, or a spec the CLI takes (``"pct"``, ``"random"``...);
    without one, a seeded random walk (``seed``) picks every choice, time passing
    included, with equal odds. The strategy gets ``new_execution()`` called once here.
    As in ``verify``, what ``fn``'s world made at import (locks, thread-locals, clocks)
    is modelled during the run, and a run that busy-waits is made again with time
    slices (not with a strategy object of the caller's: it makes one run).
    """

    def fresh() -> Strategy:
        made = _strategy_of(strategy, seed)
        made.new_execution()
        return made

    # A strategy object of the caller's runs once; one made here can make its run again
    # (with time slices, should it busy-wait).
    again = (lambda spun: fresh()) if strategy is None or isinstance(strategy, str) else None
    ex = ControlledRuntime().execute(
        fn,
        args,
        kwargs,
        strategy=fresh(),
        again=again,
        max_steps=max_steps,
        time_limit=time_limit,
        grace=grace,
        spin_limit=spin_limit,
    )
    if ex.main_done:
        return ControlledResult(ex.result, ex.exception, ex)
    return ControlledResult(None, RunStopped(ex), ex)


def run_controlled(
    fn: Callable, *args, seed: int = 0, strategy: Strategy | str | None = None, **kwargs
):
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
