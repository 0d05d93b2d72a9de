"""Explore any threaded callable: ``interlock.explore(fn, *args, ...)``.

Runs ``fn(*args, **kwargs)`` as the main thread of a controlled run, over many
schedules, until one fails or the budget (``runs``, ``time_budget``) ends. A
failure is any of: an exception in a thread ``fn`` started (an ``assert``
included), ``fn`` raising, a deadlock, a run that does not terminate (a spin,
a livelock, virtual time running out), a non-daemon thread left blocked for
ever after ``fn`` returned, or a call the scheduler does not model (a daemon thread
left running is not: CPython kills it at exit). Runs go as ``verify``'s do (see
``ControlledRuntime.execute``): objects made at import are modelled, and a busy-wait
gets time slices. The first
failure is cut to the shortest schedule prefix that still fails the same way,
replayed to check that it is deterministic, and given a replay token that
``interlock replay`` runs again (the token names the target).

``explore(fn, replay=TOKEN)`` runs a token's one schedule on ``fn`` instead (a
token of another function is refused, naming its own); a token whose schedule no
longer fits the code, or no longer fails, comes back ``stale``. A token names its
target as ``interlock replay`` finds it from the working directory: ``module:qualname``
with the directory the module imported from, or the file a module was loaded
from; a nested function or a lambda gets the pytest command that replays it.

``--shard K/N`` splits the schedules of a budget: shard K runs the runs
``i`` with ``i % N == K - 1``, so N shards together run exactly the schedules
of the unsharded budget, each once.
"""

from __future__ import annotations

import math
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass

from .models import InvalidSetting, Stop
from .replay import ReplayToken, trace_digest
from .runtime._frames import crash_where

__all__ = [
    "ExploreResult",
    "Failure",
    "explore",
    "parse_shard",
    "replay_callable",
    "replay_command",
    "replay_in_session",
]

RUNTIME = "explore"  # what a callable's replay token says in its runtime field
# Where the scheduler may switch threads: at synchronisation calls only (the default),
# or also before every line of the caller's own code (not the standard library's, not
# interlock's), which shows races between plain lines (``x = shared; shared = x + 1``).
GRANULARITIES = ("sync", "line")
_STEP_BUDGET = 200_000


@dataclass(frozen=True)
class Failure:
    """How one schedule failed: ``kind`` is ``exception`` (a thread died), ``raised``
    (``fn`` raised), or a stop: ``deadlock``, ``timeout``, ``spin``, ``step_budget``,
    ``exited``, ``unsupported``, ``left_blocked``. ``command`` replays it."""

    kind: str
    message: str
    decisions: tuple[int, ...]
    replay: str | None = None
    deterministic: bool = True
    command: str | None = None

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "message": self.message,
            "replay": self.replay,
            "command": self.command,
            "decisions": len(self.decisions),
            "deterministic": self.deterministic,
        }


@dataclass(frozen=True)
class ExploreResult:
    target: str
    ok: bool
    runs: int
    coverage: str
    failure: Failure | None
    # A hash of each checked schedule's decisions, in order (to compare shards).
    schedules: tuple[int, ...] = ()
    # Set when a replayed token no longer applies: why (its schedule diverges from the
    # code, or the run no longer fails).
    stale: str | None = None

    def report(self) -> str:
        if self.stale is not None:
            return f"{self.target}: the replay token no longer applies: {self.stale}"
        if self.failure is None:
            return f"{self.target}: no failure in {self.runs} schedules ({self.coverage})"
        f = self.failure
        lines = [
            f"{self.target}: FAIL ({f.kind}) after {self.runs} schedules: {f.message}",
            f"  the shortest failing schedule: {len(f.decisions)} decisions",
        ]
        if not f.deterministic:
            lines.append(
                "  NONDETERMINISTIC: replaying the schedule did not fail the same way (the "
                "code depends on something the scheduler does not control)"
            )
        if f.command:
            lines.append(f"  replay: {f.command}")
        return "\n".join(lines)

    def assert_ok(self) -> None:
        """Raise AssertionError with the report when a schedule failed, or when a
        replayed token no longer applies."""
        if not self.ok or self.stale is not None:
            raise AssertionError(self.report())

    def to_json(self) -> dict:
        data = {
            "target": self.target,
            "ok": self.ok,
            "runs": self.runs,
            "coverage": self.coverage,
            "failure": self.failure.to_json() if self.failure else None,
        }
        return data if self.stale is None else {**data, "stale": self.stale}


def replay_command(token: str, target: str, node: str = "") -> str:
    """The exact command that replays ``token``: ``interlock replay`` for a function that
    can be imported, else its pytest test with ``--interlock-replay``, else the call."""
    from .subjects import importable

    if importable(target):
        return f"interlock replay {token}"
    if node:
        return f"pytest {shlex.quote(node)} --interlock-replay {token}"
    return (
        f'explore(fn, replay="{token}"), in the code that defines {target} (a nested '
        "function or a lambda cannot be imported by interlock replay)"
    )


def parse_shard(text: str | None) -> tuple[int, int] | None:
    """``"K/N"`` (1 <= K <= N) as (K, N); None for None."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        msg = f"--shard must be K/N with 1 <= K <= N (got {text!r})"
        raise InvalidSetting(msg)
    return int(match.group(1)), int(match.group(2))


def _failure_of(ex, name: str) -> tuple[str, str] | None:
    """(kind, message) when the run failed, else None."""
    if ex.thread_errors:
        crash = ex.thread_errors[0]
        at = f" at {crash.where}" if crash.where else ""
        return "exception", f"{crash.thread or 'a thread'} died of {crash.describe()}{at}"
    if ex.main_done and ex.exception is not None:
        exc = ex.exception
        where = crash_where(exc)
        at = f" at {where}" if where else ""
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return "raised", f"{name} raised {text}{at}"
    if not ex.main_done:
        if ex.stop == Stop.ENDED:  # pragma: no cover - main ends last
            return None
        kind = str(ex.stop)
        return kind, ex.diagnosis or f"the run stopped: {kind}"
    if ex.stop in (Stop.SPIN, Stop.STEP_BUDGET, Stop.TIMEOUT, Stop.UNSUPPORTED):
        # Threads left running after fn returned, stopped after a while: at exit CPython
        # waits for the non-daemon ones and kills the daemons where they are. Only
        # daemons still going is a process that exits.
        if ex.leftover and all(t.daemon for t in ex.leftover):
            return None
    if ex.stop in (Stop.SPIN, Stop.STEP_BUDGET, Stop.TIMEOUT, Stop.UNSUPPORTED, Stop.EXITED):
        diagnosis = ex.diagnosis or str(ex.stop)
        if diagnosis.startswith(f"Left behind after {name} returned"):
            return str(ex.stop), diagnosis
        return str(ex.stop), f"after {name} returned: " + diagnosis
    blocked = [t for t in ex.leftover if not t.daemon and t.waiting_on]
    if blocked:
        t = blocked[0]
        at = f" at {t.where}" if t.where else ""
        return (
            "left_blocked",
            f"after {name} returned, {t.name} stays blocked for ever in {t.waiting_on}{at}: "
            "the process would hang at exit",
        )
    return None


class _LinePoints:
    """Makes the start of each of the user's own lines a scheduling point, inside
    controlled threads (``granularity="line"``), for the length of a run.

    On 3.12 and later through ``sys.monitoring`` (a LINE event; a line of library
    code answers DISABLE once and is not reported again), which leaves any trace
    function or profiler alone. Before, through a trace function: one serves every
    greenlet of the OS thread, so it is installed around the run and the one found
    there is put back."""

    def __init__(self, engine) -> None:
        from .runtime._frames import is_library_file

        self.engine = engine
        self._is_library = is_library_file
        self._mine: dict[object, bool] = {}  # code object -> is it the user's own

    def _is_mine(self, code) -> bool:
        mine = self._mine.get(code)
        if mine is None:
            mine = self._mine[code] = not self._is_library(code.co_filename)
        return mine

    def _point(self) -> None:
        engine = self.engine
        th = engine.current()
        if th is not None and not engine.aborting:
            engine.point(th)

    # -- sys.monitoring (3.12+) ----------------------------------------------------------

    def _line(self, code, line_number):
        if not self._is_mine(code):
            return _MONITORING.DISABLE
        self._point()
        return None

    # -- a trace function (3.10, 3.11) ------------------------------------------------

    def _global(self, frame, event, arg):
        return self._local if self._is_mine(frame.f_code) else None

    def _local(self, frame, event, arg):
        if event == "line":  # _point, inlined: this runs for every line of the user's code
            engine = self.engine
            th = engine.current()
            if th is not None and not engine.aborting:
                engine.point(th)
        return self._local

    def __enter__(self):
        import sys
        import threading

        if _MONITORING is not None:
            tool = _monitoring_tool()
            if tool is not None:
                self._tool = tool
                _MONITORING.register_callback(tool, _MONITORING.events.LINE, self._line)
                _MONITORING.set_events(tool, _MONITORING.events.LINE)
                return self
        self._tool = None
        self._before = sys.gettrace(), threading.gettrace()
        sys.settrace(self._global)
        threading.settrace(self._global)
        return self

    def __exit__(self, *exc) -> None:
        import sys
        import threading

        if self._tool is not None:
            _MONITORING.set_events(self._tool, 0)
            _MONITORING.register_callback(self._tool, _MONITORING.events.LINE, None)
            return
        sys.settrace(self._before[0])
        threading.settrace(self._before[1])


_MONITORING = getattr(__import__("sys"), "monitoring", None)
_TOOL: list[int] = []  # the sys.monitoring tool id interlock holds, once it has one


def _monitoring_tool() -> int | None:
    """A sys.monitoring tool id of interlock's own, kept for the process (the lines of
    library code it disabled stay disabled); None when every id is taken."""
    if not _TOOL:
        for tool in (4, 3):  # the ids no standard tool claims
            if _MONITORING.get_tool(tool) is None:
                _MONITORING.use_tool_id(tool, "interlock")
                _TOOL.append(tool)
                break
        else:
            return None
    return _TOOL[0]


class _Explorer:
    def __init__(self, fn, args, kwargs, target: str, granularity: str = "sync") -> None:
        from .runtime.controlled import ControlledRuntime

        if granularity not in GRANULARITIES:
            msg = f"granularity must be one of {', '.join(GRANULARITIES)} (got {granularity!r})"
            raise InvalidSetting(msg)
        self.fn, self.args, self.kwargs, self.target = fn, args, kwargs, target
        self.granularity = granularity
        self.node = ""  # the pytest test exploring, if any (for the replay command)
        self.name = getattr(fn, "__qualname__", getattr(fn, "__name__", "the function"))
        # Runs go as verify's do: objects made at import modelled, time slices once the
        # function is seen to busy-wait (for the rest of the session).
        self.runtime = ControlledRuntime()
        self.engine = self.runtime.engine
        self.deadline = math.inf  # a run still going on then is cut (Stop.CUT)

    def session(self):
        return self.runtime.session()

    def run(self, strategy, again=None):
        """One run under ``strategy``; ``again(spun)`` makes its schedule afresh, for a
        run that busy-waits to be made again with time slices."""
        import contextlib
        import io

        lines = _LinePoints(self.engine) if self.granularity == "line" else contextlib.nullcontext()
        with contextlib.redirect_stdout(io.StringIO()), lines:
            return self.runtime.execute(
                self.fn,
                self.args,
                self.kwargs,
                strategy=strategy,
                again=again,
                max_steps=_STEP_BUDGET,
                time_limit=math.inf,
                grace=10.0,
                spin_limit=1.0,
                deadline=self.deadline,
                fn_name=self.name,
            )

    def explore(self, schedules):
        """The run ``schedules`` makes now (prepared with ``new_execution``)."""
        return self.run(schedules, again=self.runtime.same_schedule(schedules))

    def replay(self, decisions, *, then=None):
        from .runtime.strategies import NondeterministicProgram, ReplayStrategy

        def fresh(spun=None):
            strategy = ReplayStrategy(decisions, then=then)
            strategy.new_execution()
            return strategy

        try:
            return self.run(fresh(), again=fresh)
        except NondeterministicProgram:
            return None

    @property
    def sliced(self) -> bool:
        """Whether runs got time slices (the function was seen to busy-wait)."""
        return self.runtime.slicing_note is not None

    def shortest(self, ex, kind: str):
        """The shortest run found whose schedule still fails as ``kind``."""
        from .runtime.strategies import BASELINE
        from .stages import shortest_prefix

        def fails(run) -> bool:
            found = _failure_of(run, self.name)
            return found is not None and found[0] == kind

        return shortest_prefix(ex, lambda prefix: self.replay(prefix, then=BASELINE), fails)


def explore(
    fn: Callable,
    *args,
    runs: int = 500,
    seed: int = 0,
    strategy: str = "mix",
    time_budget: float | None = 30.0,
    shard: str | tuple[int, int] | None = None,
    target: str | None = None,
    granularity: str = "sync",
    replay: str | ReplayToken | None = None,
    node: str = "",
    **kwargs,
) -> ExploreResult:
    """Run ``fn(*args, **kwargs)`` under the controlled scheduler over up to ``runs``
    schedules (``strategy``, seeded by ``seed``) or ``time_budget`` real seconds, and
    return what was found (see the module's docstring). ``replay`` (a token of this
    very function) runs its one schedule instead; ``node`` names the pytest test that
    explores, for the replay command of a function that cannot be imported."""
    from .runtime.strategies import for_exploration
    from .subjects import target_of

    if type(runs) is not int or runs < 1:
        msg = f"runs must be an int >= 1 (got {runs!r})"
        raise InvalidSetting(msg)
    part = parse_shard(shard) if isinstance(shard, str) or shard is None else shard
    target = target or target_of(fn)
    replay = replay if replay is not None else _session["replay"]
    if replay is not None:
        return _replay_on(fn, args, kwargs, target, replay)
    explorer = _Explorer(fn, args, kwargs, target, granularity)
    explorer.node = node or _current_test()
    schedules = for_exploration(strategy, seed, target)
    deadline = time.perf_counter() + time_budget if time_budget else math.inf
    done = 0
    checked: list[int] = []
    with explorer.session():
        explorer.deadline = deadline  # a run going on when the budget ends is cut there
        for index in range(runs):
            if not schedules.new_execution():
                break
            if part is not None and index % part[1] != part[0] - 1:
                # Another shard's schedule. A series makes each from its own seed: leave
                # it out. A search's later schedules depend on its earlier ones (one
                # tree): run it, unchecked.
                if not getattr(schedules, "independent_runs", False):
                    explorer.explore(schedules)
                continue
            ex = explorer.explore(schedules)
            if ex.stop == Stop.CUT:
                break  # the time budget ended during this run: it is not judged
            done += 1
            checked.append(hash(tuple(ex.decisions)))
            found = _failure_of(ex, explorer.name)
            if found is not None:
                kind, _ = found
                label = schedules.label()
                # Cutting it down replays runs no longer than this failing one.
                explorer.deadline = math.inf
                return _failed(explorer, ex, kind, label, done)
            if time.perf_counter() > deadline:
                break
    coverage = schedules.coverage()
    described = coverage.describe() if coverage is not None else f"{schedules.describe()}"
    if granularity != "sync":
        described += f", a scheduling point before each {granularity}"
    if explorer.sliced:
        described += "; " + explorer.runtime.busy_wait_note(explorer.name)
    if part is not None:
        described += f", shard {part[0]}/{part[1]}"
    return ExploreResult(target, True, done, described, None, tuple(checked))


# Set by the pytest plugin for a session run with --interlock-replay TOKEN: every
# exploration in it (``interlock.assert_explores_ok`` included) replays that token.
_session: dict = {"replay": None}


def replay_in_session(token: ReplayToken | None) -> None:
    """Make every later ``explore`` call replay ``token`` (None: explore again)."""
    _session["replay"] = token


def _current_test() -> str:
    """The pytest test running now, as pytest names it (``PYTEST_CURRENT_TEST`` is
    ``path::name (call)``), else ""."""
    import os

    return os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]


def _replay_on(fn, args, kwargs, target: str, replay: str | ReplayToken) -> ExploreResult:
    """``explore(fn, replay=TOKEN)``: the token's schedule on ``fn``, refused when the
    token is of another function or of a download subject."""
    token = ReplayToken.decode(replay) if isinstance(replay, str) else replay
    if token.runtime != RUNTIME or token.target != target:
        msg = f"refused: the replay token is a {token.describe()}, not of function {target}"
        raise InvalidSetting(msg)
    return replay_callable(token, fn, args, kwargs)[0]


def _failed(explorer: _Explorer, ex, kind: str, label, done: int) -> ExploreResult:
    from .subjects import import_root

    best = explorer.shortest(ex, kind)
    decisions = tuple(best.decisions)
    kind, message = _failure_of(best, explorer.name)
    # The same schedule again, failing the same way. Messages may hold addresses (an
    # assert's repr of an object): the kind and the message's head are compared.
    again = explorer.replay(decisions)
    same = (
        again is not None
        and tuple(again.decisions) == decisions
        and _signature(_failure_of(again, explorer.name)) == _signature((kind, message))
    )
    token = ReplayToken(
        target=explorer.target,
        scenario=explorer.granularity,  # a callable has no scenario: its points go here
        runtime=RUNTIME,
        strategy=str(label[0]),
        seed=int(label[1]),
        decisions=decisions,
        digest=trace_digest(_signature((kind, message))),
        root=import_root(explorer.target),
        node=explorer.node,
    ).encode()
    command = replay_command(token, explorer.target, explorer.node)
    failure = Failure(kind, message, decisions, token, same, command)
    return ExploreResult(explorer.target, False, done, f"failed after {done} schedules", failure)


def _signature(found: tuple[str, str] | None) -> str:
    """A failure without what may differ between two runs of one schedule (object
    addresses in a message): its kind and its message's words up to the first colon."""
    if found is None:
        return ""
    kind, message = found
    return f"{kind}\n{message.split(':', 1)[0]}"


def replay_callable(
    token: ReplayToken, fn: Callable | None = None, args=(), kwargs=None
) -> tuple[ExploreResult, bool]:
    """Run a callable's failing schedule again (on ``fn``, default the function the
    token names): the result, and whether it failed the very same way (same kind, same
    message) as when the token was made. ``result.stale`` says why the token no longer
    applies, when its schedule diverges from the code or the run no longer fails."""
    from .subjects import load_callable

    fn = load_callable(token.target) if fn is None else fn
    explorer = _Explorer(
        fn, tuple(args), dict(kwargs or {}), token.target, token.scenario or "sync"
    )
    with explorer.session():
        ex = explorer.replay(token.decisions)
    if ex is None:
        return _stale(token, STALE_DIVERGES), False
    found = _failure_of(ex, explorer.name)
    if found is None:
        return _stale(token, STALE_PASSES), False
    kind, message = found
    command = replay_command(token.encode(), token.target, token.node)
    failure = Failure(kind, message, tuple(token.decisions), token.encode(), True, command)
    same = trace_digest(_signature(found)) == token.digest
    return ExploreResult(token.target, False, 1, "the replayed schedule", failure), same


# Why a token no longer applies, in the words every replay uses.
STALE_DIVERGES = (
    "its schedule diverges from today's code (the code changed since the token was made)"
)
STALE_PASSES = "its schedule runs to the end without failing today (a fix landed?)"


def _stale(token: ReplayToken, why: str) -> ExploreResult:
    return ExploreResult(token.target, True, 1, "the replayed schedule", None, stale=why)
