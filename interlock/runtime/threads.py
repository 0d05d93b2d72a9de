"""The real-threads runtime: run a subject on OS threads, in a forked child, under a watchdog.

A thread stuck in ``Queue.get`` cannot be killed from inside a Python process,
so every run happens in a child made by ``os.fork()`` (a few milliseconds). The
child runs ``download_all`` on its main thread while a watchdog thread watches
the clock and the other threads' stacks; it sends back a pickled ``RunRecord``
through a pipe and leaves with ``os._exit``, taking any stuck thread with it.
The parent only waits on the pipe, with a hard deadline after which it kills
the child: interlock never hangs and never carries a subject's threads into the
next run.

Time: one virtual second of the scenario is ``scale`` real seconds (the fake
downloader sleeps ``duration * scale``). The scenario's ``time_budget`` is
scaled the same way, with a floor (``min_budget``, 10 s) so that neither the
milliseconds a real thread takes to start nor a pool's own real-time polling (a
worker that wakes every 5 s to see whether it should stop) count as a subject
failing to terminate. Every real-time margin widens with the machine's load.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import replace

from ..models import (
    Budget,
    Crash,
    InterlockError,
    InvalidSetting,
    RunRecord,
    Scenario,
    Settings,
    Stop,
    Subject,
    Trace,
)
from ._protocol import Trial, Trials
from ._threads_child import Plan, child_main

__all__ = ["ThreadsRuntime"]

_HEADER_SIZE = 8
_REAP_PATIENCE = 2.0  # real seconds a child that has reported gets to exit by itself


class ThreadsRuntime:
    """Runs a subject on real threads, one forked child per run.

    ``scale``: real seconds per virtual second. ``grace``: real seconds the
    subject's threads get to end after ``download_all`` returns (default: twice
    the longest task, at least 0.2 s). ``min_budget``: the least real time a run
    gets before it counts as not terminating. ``margin``: how much longer than
    budget and grace the parent waits for a silent child before killing it.
    """

    name = "threads"
    exact = False  # a real, shared clock: what a run shows depends on the machine's load
    replayable = False  # the OS scheduled it: no schedule to run again
    default_budget = Budget(runs=2, generated=12, generated_runs=1, shrink_calls=30, seconds=40.0)

    def __init__(
        self,
        scale: float = 0.001,
        grace: float | None = None,
        *,
        min_budget: float = 10.0,
        margin: float = 2.0,
        seed: int = 0,
    ) -> None:
        for label, value in (("scale", scale), ("min_budget", min_budget), ("margin", margin)):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                msg = f"{label!r} must be a number > 0 (got {value!r})"
                raise InvalidSetting(msg)
        if grace is not None and (
            not isinstance(grace, (int, float)) or isinstance(grace, bool) or not grace >= 0
        ):
            msg = f"'grace' must be None or a number >= 0 real seconds (got {grace!r})"
            raise InvalidSetting(msg)
        self.scale = float(scale)
        self.grace = grace
        self.min_budget = float(min_budget)
        self.margin = float(margin)
        self.seed = seed

    @classmethod
    def from_settings(cls, settings: Settings) -> ThreadsRuntime:
        return cls(scale=settings.time_scale, seed=settings.seed)

    def __repr__(self) -> str:
        return f"ThreadsRuntime(scale={self.scale!r}, grace={self.grace!r})"

    def session(self):
        """Nothing to set up: every run forks a child of its own."""
        return contextlib.nullcontext(self)

    def notes(self, subject: Subject) -> list[str]:
        return []

    def set_deadline(self, when: float) -> None:
        """Ignored: every run here is bounded already, by the scenario's budget in real
        time (``plan``), after which its child process is killed."""

    def trials(self, subject: Subject, scenario: Scenario, runs: int, *, key: str) -> Trials:
        """``runs`` repetitions: the OS chooses each schedule."""

        def each() -> Iterator[Trial]:
            for _ in range(runs):
                yield Trial(self.run(subject, scenario), None, self.seed)

        return Trials(each())

    def replay(
        self,
        subject: Subject,
        scenario: Scenario,
        decisions: Sequence[int],
        *,
        then: str | None = None,
    ) -> RunRecord | None:
        """Real threads cannot be made to follow a schedule: nothing to replay."""
        return None

    def observe(self, subject: Subject, scenario: Scenario, decisions: Sequence[int]) -> None:
        """Nor to tell where each thread was at each step."""
        return None

    def plan(self, scenario: Scenario) -> Plan:
        """The real-time settings for one run of ``scenario``.

        Margins widen with the machine's load (its load average per core, at least
        1): on a busy machine a thread that could run may wait its turn for long, and
        a wait like that must never read as a deadlock or a failure to terminate.
        """
        load = _load_factor()
        longest = max((t.duration for t in scenario.tasks), default=0.0) * self.scale
        budget = max(scenario.time_budget * self.scale, self.min_budget) * load
        quiet = max(3 * longest, 0.2) * load
        grace = self.grace if self.grace is not None else max(2 * longest, 0.2) * load
        poll = min(0.02, budget / 10)
        return Plan(
            scale=self.scale,
            budget=budget,
            quiet=quiet,
            confirm=max(3 * poll, 0.05) * load,
            grace=grace,
            poll=poll,
        )

    def run(self, subject: Subject, scenario: Scenario) -> RunRecord:
        """Run ``subject`` once on ``scenario``, scheduled by the OS."""
        if not hasattr(os, "fork"):
            msg = f"the threads runtime needs os.fork(), which this platform ({os.name}) lacks"
            raise InvalidSetting(msg)
        plan = self.plan(scenario)
        notes = _fork_risk_note()
        deadline_after = plan.budget + plan.grace + self.margin
        read_fd, write_fd = os.pipe()
        started = time.monotonic()
        try:
            pid = _fork()
        except OSError as exc:
            os.close(read_fd)
            os.close(write_fd)
            msg = f"the threads runtime could not fork a child for subject {subject.name!r}: {exc}"
            raise InterlockError(msg) from exc
        if pid == 0:  # the child: never returns
            os.close(read_fd)
            child_main(subject, scenario, plan, write_fd)
        os.close(write_fd)
        message, late = None, True
        try:
            message, late = _receive(read_fd, started + deadline_after)
        finally:
            os.close(read_fd)
            status, killed = _reap(pid, patience=0.0 if late else _REAP_PATIENCE)
        wall = time.monotonic() - started
        if message is None:
            return self._silent_child(
                subject, scenario, status, killed, wall, deadline_after, notes
            )
        kind, payload = message
        if kind == "error":
            msg = (
                f"the threads runtime failed in its child process running subject "
                f"{subject.name!r} on scenario {scenario.name!r}:\n{payload}"
            )
            raise InterlockError(msg)
        record: RunRecord = payload
        return replace(record, notes=notes + record.notes) if notes else record

    def _silent_child(
        self,
        subject: Subject,
        scenario: Scenario,
        status: int,
        killed: bool,
        wall: float,
        deadline: float,
        notes: tuple[str, ...],
    ) -> RunRecord:
        """A record for a child that sent nothing: killed at the deadline, or died."""
        if killed:
            diagnosis = (
                f"timeout: the child process running the subject sent nothing within "
                f"{deadline:.3g}s real and was killed; a thread probably held the GIL "
                f"in C code, so the watchdog could not run"
            )
            return RunRecord(
                subject=subject.name,
                scenario=scenario,
                runtime=self.name,
                trace=Trace(),
                outcome=Stop.TIMEOUT,
                diagnosis=diagnosis,
                virtual_time=wall / self.scale,
                wall_time=wall,
                notes=notes + ("child process unresponsive: killed",),
            )
        if os.WIFSIGNALED(status):
            how = f"was killed by signal {os.WTERMSIG(status)}"
        else:
            how = f"exited with status {os.waitstatus_to_exitcode(status)}"
        crash = Crash(
            "ChildProcessDied",
            f"the child process running the subject {how} before reporting "
            f"(os._exit or a crash in C code?)",
        )
        return RunRecord(
            subject=subject.name,
            scenario=scenario,
            runtime=self.name,
            trace=Trace(),
            outcome=Stop.RAISED,
            crash=crash,
            diagnosis=crash.message,
            virtual_time=wall / self.scale,
            wall_time=wall,
            notes=notes,
        )


def _load_factor() -> float:
    """The load average per core, at least 1 (1 where it cannot be read)."""
    try:
        return max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))
    except (AttributeError, OSError):
        return 1.0


def _fork_risk_note() -> tuple[str, ...]:
    others = [t.name for t in threading.enumerate() if t is not threading.current_thread()]
    if not others:
        return ()
    return (
        f"interlock's process had {len(others)} other thread(s) when it forked "
        f"({', '.join(others)}); a lock one of them held stays locked in the child",
    )


def _fork() -> int:
    with warnings.catch_warnings():
        # Python 3.12+ warns when a multi-threaded process forks: the child may inherit
        # a lock some other thread held. The child never uses the parent's other
        # threads, and if it ever got stuck on such a lock the parent's deadline kills
        # it, so the warning would only be noise in the caller's output.
        warnings.filterwarnings("ignore", message=r".*fork\(\)", category=DeprecationWarning)
        return os.fork()


def _receive(fd: int, deadline: float) -> tuple[tuple | None, bool]:
    """(the child's message, whether the deadline passed). The message is None when
    the child did not send it in full: it died (EOF) or the deadline passed."""
    data = bytearray()
    needed: int | None = None
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while needed is None or len(data) < needed:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                return None, True
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None, False
            data += chunk
            if needed is None and len(data) >= _HEADER_SIZE:
                needed = _HEADER_SIZE + int.from_bytes(data[:_HEADER_SIZE], "big")
    return pickle.loads(bytes(data[_HEADER_SIZE:needed])), False


def _reap(pid: int, *, patience: float) -> tuple[int, bool]:
    """Wait for the child, killing it after ``patience``: (its wait status, whether
    interlock killed it). Always reaps, so no zombie is left."""
    give_up = time.monotonic() + patience
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, False
        if time.monotonic() >= give_up:
            break
        time.sleep(0.001)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    return status, True
