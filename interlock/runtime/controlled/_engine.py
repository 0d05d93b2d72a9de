"""The controlled scheduler: subject threads as greenlets, one running at a time.

How a run goes. ``Engine.run`` is called from some greenlet (the *hub*). It
makes the subject's main thread (id 1) and switches to it. From then on,
control passes directly from thread greenlet to thread greenlet at scheduling
points (``point``: the caller may go on; ``block``: it may not). A thread
that ends parks its (pooled) greenlet and picks the next thread itself; the
hub is resumed only when no thread is left or a stop (deadlock, budget, spin)
is requested, and then snapshots every thread, throws ``Aborted`` into each
remaining greenlet and restores the world.

The engine is four modules: this one (runs, decisions, blocking and waking),
``_clock`` (virtual time and timers), ``_lifecycle`` (spawning, running, ending
and killing threads) and ``_watchdog`` (real-time progress checks).

The face it shows to modelled primitives and patches, and nothing else:

- ``thread_of(greenlet)`` / ``current()``: the controlled thread of a greenlet,
  or of the caller (None for any other caller); ``in_world()``;
- ``point(th)``: a scheduling point where ``th`` may go on;
- ``block(th, waitlist, deadline, what)``: ``th`` waits on ``what``;
  ``wake_all(waitlist)`` makes the threads waiting there runnable;
- ``now``: virtual time; ``spawn(...)``: a new runnable thread;
- ``threads()``, ``thread(tid)``, ``main_thread()``: the run's threads;
- ``thread_error(crash)``, ``process_exit(...)``; ``aborting`` and ``run_serial``.

Bookkeeping is incremental: live threads and live timers are counted, the
runnable list stays sorted by insertion, and a point with a single runnable
thread and no live timer neither asks the strategy nor switches. The hot path
(``point``/``block``/``_schedule``) does no frame walking and no formatting:
reports are built only when a run ends badly or main returns with threads left.
"""

from __future__ import annotations

import _thread
import gc
import math
import signal
import threading
import time
from bisect import insort
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from heapq import heappush

from greenlet import getcurrent

from ...models import Crash, Stop, ThreadNames, ThreadState
from ...models.record import PROCESS_EXIT
from .._harness import Aborted, call_subject
from ..strategy import CLOCK, Strategy
from . import _primitives, _report
from ._clock import Clock
from ._lifecycle import Lifecycle, ThreadRec
from ._patching import Patches
from ._watchdog import SpinDetected, SpinWatch, Watchdog

__all__ = ["Engine", "Execution", "SpinDetected", "StrategyError", "ThreadRec"]

_real_perf_counter = time.perf_counter
_real_get_ident = _thread.get_ident

# How many waits a thread being killed may start (each refused with Aborted) before it
# is abandoned: a loop that catches everything, even interlock's stop.
_ABORT_PATIENCE = 1000

# Fairness (after CHESS's fair stateless model checking, Musuvathi and Qadeer, PLDI
# 2008): no schedule a real scheduler could not produce.
# - Letting time pass while a thread could run is a bounded choice, like a preemption:
#   at most EARLY_CLOCKS a run, and together at most EARLY_TIME of virtual time, as
#   long as a busy machine may keep a runnable thread off a CPU; after that time
#   passes only when no thread can run. A timer further off than what is left of
#   EARLY_TIME is not a choice: no real scheduler holds a runnable thread back for a
#   join(600) to time out (a safety-net timeout was judged to fire). The time such a
#   choice lets pass is not counted against the run's time limit, and it never passes
#   the limit while a thread can run (``_advance``).
EARLY_CLOCKS = 3
EARLY_TIME = 0.1
# - Threads that run without ever blocking still let time pass, as a real CPU does:
#   after BUSY_STEPS steps with a timer pending and nobody blocking, time moves on to
#   the next timer, but by at most BUSY_TIME a burst: a thread polling with sleep(0)
#   for a 5 s sleeper lets 5 s pass in 50 bursts, and a thread doing 1,000 steps of
#   finite work never makes a far timeout fire under it. By then every runnable
#   thread has run many times (see STARVATION), so no timeout fires under a thread
#   that never got a turn.
BUSY_STEPS = 1_000
BUSY_TIME = 0.1
# - A runnable thread runs within STARVATION decisions: a strategy that keeps choosing
#   others (PCT's top priority spinning on a lock) is overruled. Checked every
#   STARVATION_CHECK decisions, so the cost per decision stays constant.
STARVATION = 64
STARVATION_CHECK = 16


class StrategyError(RuntimeError):
    """The strategy answered something that is not one of the choices it was given."""


class _Stop(Exception):
    """Internal: unwind the hub's scheduling when a stop was requested from the hub."""


@dataclass(frozen=True, init=False)
class Execution:
    """What one controlled run produced.

    ``stop`` is why scheduling ended (a ``Stop``: ENDED, DEADLOCK, TIMEOUT, SPIN,
    STEP_BUDGET, EXITED). ``main_done`` says whether the main function finished
    before that; if so ``result``/``exception`` hold its outcome, and a stop after
    it concerns only the threads it left (``leftover``). ``exit`` is the
    ``os._exit`` call that ended the run (EXITED), as a crash naming its thread.
    """

    stop: Stop
    main_done: bool
    result: object = None
    exception: BaseException | None = None
    decisions: tuple[int, ...] = ()
    steps: int = 0
    virtual_time: float = 0.0
    wall_time: float = 0.0
    threads_at_return: tuple[ThreadState, ...] = ()
    threads_at_end: tuple[ThreadState, ...] = ()
    blocked: tuple[ThreadState, ...] = ()
    diagnosis: str | None = None
    thread_errors: tuple[Crash, ...] = ()
    notes: tuple[str, ...] = field(default=())
    exit: Crash | None = None
    sliced: bool = False  # threads were preempted after a real-time slice

    def __init__(
        self,
        stop: Stop,
        main_done: bool,
        result: object = None,
        exception: BaseException | None = None,
        decisions: tuple[int, ...] = (),
        steps: int = 0,
        virtual_time: float = 0.0,
        wall_time: float = 0.0,
        threads_at_return: tuple[ThreadState, ...] = (),
        threads_at_end: tuple[ThreadState, ...] = (),
        blocked: tuple[ThreadState, ...] = (),
        diagnosis: str | None = None,
        thread_errors: tuple[Crash, ...] = (),
        notes: tuple[str, ...] = (),
        exit: Crash | None = None,
        sliced: bool = False,
    ) -> None:
        # One dict update, as RunRecord does: the frozen dataclass's own __init__ sets
        # each of the 16 fields through object.__setattr__ (about 30,000 instructions,
        # once a run).
        self.__dict__.update(
            stop=stop,
            main_done=main_done,
            result=result,
            exception=exception,
            decisions=decisions,
            steps=steps,
            virtual_time=virtual_time,
            wall_time=wall_time,
            threads_at_return=threads_at_return,
            threads_at_end=threads_at_end,
            blocked=blocked,
            diagnosis=diagnosis,
            thread_errors=thread_errors,
            notes=notes,
            exit=exit,
            sliced=sliced,
        )

    @property
    def leftover(self) -> tuple[ThreadState, ...]:
        """Threads main left behind that never ended."""
        return self.threads_at_end if self.main_done else ()


class Engine(Clock, Lifecycle, SpinWatch):
    """Runs callables under a strategy on greenlets, with the world patched around them.

    One engine can be reused for many runs. ``session()`` keeps the patches
    installed across a batch of runs (faster); ``run`` installs them itself
    when no session is open. Not re-entrant: one run at a time per process.
    """

    def __init__(self) -> None:
        self._patches = Patches(self)
        self._session_depth = 0
        self._running = False
        self._hub = None
        self.run_serial = 0  # which run modelled objects belong to (see PipeQueue)
        self._idle: list = []  # parked worker greenlets, reused across threads and runs
        self._idle_os_thread = None  # the OS thread they belong to (greenlets cannot move)
        self._starter = None  # the greenlet that starts fresh workers (see _lifecycle)
        self._by_glet: dict = {}
        # Cleared, never replaced: primitives and patches bind this once.
        self.thread_of = self._by_glet.get
        self._on_stop: Callable[[], None] | None = None
        self._slice: float | None = None
        self.footprints = None  # see _watcher
        self._reset()

    # -- patches ------------------------------------------------------------

    @contextmanager
    def session(self):
        """Keep the patches installed for every run made inside this block."""
        if self._session_depth == 0:
            self._patches.install()
            real = self._patches.real
            self._watchdog = Watchdog(
                self,
                real("_thread", "get_ident"),
                real("time", "sleep"),
                real("_thread", "start_new_thread"),
            )
            self._old_sigint = None
            try:
                self._watchdog.start()
                # A process started with Ctrl-C ignored (a background job, nohup) keeps
                # ignoring it, as Python itself does.
                if (
                    threading.current_thread() is threading.main_thread()
                    and signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
                ):
                    self._old_sigint = signal.signal(signal.SIGINT, self._on_sigint)
            except BaseException:
                self._watchdog.stop()
                self._patches.uninstall()
                raise
        self._session_depth += 1
        try:
            yield self
        finally:
            self._session_depth -= 1
            if self._session_depth == 0:
                if self._old_sigint is not None:
                    signal.signal(signal.SIGINT, self._old_sigint)
                self._watchdog.stop()
                self._patches.uninstall()

    # -- per-run state --------------------------------------------------------

    def _reset(self) -> None:
        self.run_serial += 1
        self._reset_clock()
        self.steps = 0
        self.aborting = False
        self._threads: dict[int, ThreadRec] = {}
        self.names = ThreadNames(locked=False)  # the run's threads, each by a name of its own
        self._by_glet.clear()
        self._runnable: list[int] = []
        self._live = 0  # threads spawned and not yet ended
        self._next_tid = 1
        self._decisions: list[int] = []
        self._stop_reason: Stop | None = None
        self._stop_detail: str | None = None
        self._internal_error: BaseException | None = None
        self._main: ThreadRec | None = None
        self._main_done = False
        self._main_result = None
        self._main_exc: BaseException | None = None
        self._at_return: tuple[ThreadState, ...] = ()
        self._thread_errors: list[Crash] = []
        self._exit: Crash | None = None
        self._spin_state: ThreadState | None = None
        self._spin_tid = -1
        self._killing_since: float | None = None
        self._steps_at_tick = -1
        self._abandoned: set[int] = set()  # threads left where a stop caught them
        self._abort_hits = 0  # waits refused to a thread being killed (see block)
        self._decision_no = 0  # scheduling decisions with a choice, forced ones included
        self._early_clocks = 0  # CLOCK chosen while a thread could run
        self._early_left = EARLY_TIME  # virtual time such choices may still let pass
        self._busy = 0  # steps since time last passed or a thread last blocked

    # -- the face: who is calling, and the run's threads ----------------------------

    @property
    def can_slice(self) -> bool:
        """Whether time slices work here: the watchdog interrupts with a signal, which
        only the main OS thread receives."""
        return self._session_depth > 0 and self._watchdog.signals

    def clock_replacements(self) -> dict:
        """id of each real clock function -> its virtual replacement (see _patching)."""
        return self._patches.clock_replacements()

    def current(self) -> ThreadRec | None:
        """The controlled thread calling, or None for any other caller."""
        return self._by_glet.get(getcurrent())

    def in_world(self) -> bool:
        """The caller is a controlled thread, or the hub while a run is in progress."""
        me = getcurrent()
        return me in self._by_glet or (self._running and me is self._hub)

    def threads(self) -> list[ThreadRec]:
        """The run's threads, in creation (id) order, ended ones included."""
        return [self._threads[tid] for tid in sorted(self._threads)]

    def thread(self, tid) -> ThreadRec | None:
        """The run's thread with id ``tid``, if any."""
        return self._threads.get(tid)

    def main_thread(self) -> ThreadRec | None:
        """The run's main thread (id 1), while a run is in progress."""
        return self._main

    def thread_error(self, crash: Crash) -> None:
        """A controlled thread died of an uncaught exception (``threading.excepthook``)."""
        self._thread_errors.append(crash)

    # -- the hot path -----------------------------------------------------------

    def block(self, th: ThreadRec, waitlist: list | None, deadline: float | None, what) -> bool:
        """Block ``th`` on ``waitlist`` until woken (True) or ``deadline`` passes (False).

        ``what`` is the modelled wait (see ``_primitives.Wait``): reports ask it what
        ``th`` waits for and who holds it.
        """
        if self.aborting:
            # A thread being killed that swallows Aborted and waits again, in a loop:
            # after enough refusals, leave it where it is.
            self._abort_hits += 1
            if self._abort_hits > _ABORT_PATIENCE and th.tid not in self._abandoned:
                self._abandon(th)
            msg = "run stopped"
            raise Aborted(msg)
        th.blocked = True
        th.what = what
        th.deadline = deadline
        th.token += 1
        th.waitlist = waitlist
        self._busy = 0
        if waitlist is not None:
            waitlist.append(th)
        if deadline is not None:  # _add_timer, inlined: every timed wait comes here
            if deadline <= self.now:
                # A wait of a few nanoseconds still lets time pass: on a real machine it
                # would, and a poll that recomputes "what is left" must see it move.
                deadline = math.nextafter(self.now, math.inf)
                th.deadline = deadline
            heappush(self._timers, (deadline, next(self._timer_seq), th.token, th))
            self._live_timers += 1
        self._runnable.remove(th.tid)
        self._schedule(th, False)
        return th.woke

    def wake_all(self, waitlist: list) -> None:
        """Make every thread waiting on ``waitlist`` runnable (each then retries)."""
        runnable = self._runnable
        now = self._decision_no
        for th in waitlist:
            if not th.blocked:
                continue  # left over from a stopped run (killed while it waited here)
            th.blocked = False
            th.woke = True
            th.last_ran = now
            th.waitlist = None
            th.what = None
            if th.deadline is not None:
                th.deadline = None
                self._live_timers -= 1  # its heap entry is now stale (token/blocked check)
            insort(runnable, th.tid)
        waitlist.clear()

    def _schedule(self, th: ThreadRec | None, can_continue: bool = True) -> None:
        """Pick who runs next (asking the strategy only when there is a choice) and switch.

        Called as ``point(th)`` by primitives: a scheduling point where ``th`` may go on.
        The fairness rules above decide first; the strategy decides the rest.
        """
        if self.aborting:
            return
        steps = self.steps = self.steps + 1
        if steps > self._step_limit:
            self._over_step_limit()
        runnable = self._runnable
        while True:
            # A live-timer count, not a scan of the heap: stale entries (waiters woken
            # by a notify) are dropped only when time advances.
            if self._live_timers:
                if not runnable:
                    self._advance()
                    continue
                busy = self._busy = self._busy + 1
                if busy > BUSY_STEPS:
                    self._advance(BUSY_TIME)  # the runnable threads' work took time
                    continue
                if (
                    self._early_clocks < EARLY_CLOCKS
                    and self._timers[0][0] - self.now <= self._early_left
                ):  # the heap's first may be stale (a woken waiter's): see the CLOCK pick
                    choices = (CLOCK, *runnable)
                elif len(runnable) == 1:
                    pick = runnable[0]
                    break
                else:
                    choices = tuple(runnable)
            elif not runnable:
                self._stop(Stop.DEADLOCK, None)
                return  # only reached on the hub: the caller sees _stop_reason
            elif len(runnable) == 1:
                pick = runnable[0]
                break
            else:
                choices = tuple(runnable)
            n = self._decision_no = self._decision_no + 1
            if not n % STARVATION_CHECK:
                starved = self._starved(runnable, n)
                if starved is not None:
                    pick = starved
                    break
            try:
                pick = self._next_thread(choices, th.tid if can_continue else None)
            except Exception as exc:  # noqa: BLE001 - e.g. ReplayDiverged: the run's error, not the subject's
                # Raised here it would surface inside the subject's code (and could be
                # caught there): stop the run and raise it from Engine.run instead.
                self._internal_error = exc
                self._stop(Stop.ERROR, str(exc))
                return
            if pick not in choices:
                msg = f"strategy {self._strategy!r} chose {pick!r}, which is not one of {choices}"
                self._internal_error = StrategyError(msg)
                self._stop(Stop.ERROR, msg)
                return
            self._decisions.append(pick)
            if pick == CLOCK:
                self._early_clocks += 1
                before = self.now
                self._advance(self._early_left)  # the heap's first was stale: no further
                # Time the scheduler let pass while a thread could run is not the
                # subject's: the run's time limit moves on by as much, so an early clock
                # cannot make a run time out.
                self._limit += self.now - before
                self._early_left -= self.now - before
                continue
            break
        chosen = self._threads[pick]
        chosen.last_ran = self._decision_no
        if th is not None and pick == th.tid:
            return
        chosen.glet.switch()

    def _over_step_limit(self) -> None:
        """The step limit was passed: a livelock, or the caller's deadline (the watchdog
        lowers the limit when it passes, so the hot path needs no clock read of its own)."""
        if _real_perf_counter() > self._deadline:
            self._stop(Stop.CUT, f"the real-time deadline passed after {self.steps} steps")
        elif self._step_limit < 0:  # lowered for a deadline that is not this run's
            self._step_limit = self.steps + self._max_steps
        else:
            self._stop(Stop.STEP_BUDGET, self._livelock_detail())

    def _livelock_detail(self) -> str:
        return (
            f"more than {self._max_steps} scheduling steps without virtual time passing "
            f"(at t={self.now:.3f}s)"
        )

    def _starved(self, runnable: list[int], now: int) -> int | None:
        """The runnable thread that has waited longest, if it waited more than STARVATION
        decisions (the lowest id among equals)."""
        threads = self._threads
        oldest = None
        since = now - STARVATION
        for tid in runnable:
            ran = threads[tid].last_ran
            if ran < since:
                since = ran
                oldest = tid
        return oldest

    point = _schedule

    def process_exit(
        self, th: ThreadRec, status, where: str | None, message: str | None = None
    ) -> None:
        """``os._exit(status)`` in ``th`` (or, with ``message``, a signal that would kill
        the process): end the run there, as the process would end."""
        at = f" at {where}" if where else ""
        if message is None:
            message = f"os._exit({status!r}) called in {th.name}{at}: the process would end here"
        self._exit = Crash(PROCESS_EXIT, message, thread=th.name)
        self._stop(Stop.EXITED, message)

    def _set_stop(self, reason: Stop, detail: str | None) -> None:
        """Record why the run stops (the first reason wins); from here on, nothing the
        run's threads do is recorded (``on_stop``)."""
        if self._stop_reason is None:
            self._stop_reason = reason
            self._stop_detail = detail
            if self._on_stop is not None:
                self._on_stop()

    def _stop(self, reason: Stop, detail: str | None) -> None:
        self._set_stop(reason, detail)
        if getcurrent() is not self._hub:
            self._hub.switch()
            # Resumed only by the hub's throw(); if a plain switch ever comes back, end anyway.
            msg = "run stopped"
            raise Aborted(msg)
        raise _Stop

    def unsupported(self, th: ThreadRec, detail: str) -> None:
        """``th`` did something the runtime does not model (start a process): stop there."""
        self._stop(Stop.UNSUPPORTED, detail)

    def _spin_stop(self, th: ThreadRec, exc: BaseException) -> None:
        """A ``SpinDetected`` raised by the watchdog off the main OS thread reached ``th``'s
        body: stop the run as a spin, where the exception was raised."""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        frame = tb.tb_frame if tb is not None else None
        self._spin_state = _report.stuck_state(th, frame, self, blocked=False)
        self._spin_tid = th.tid
        self._set_stop(
            Stop.SPIN,
            f"{th.name} ran for more than {self._spin_limit:g}s of real time without reaching "
            f"a scheduling point at {self._spin_state.where or '?'} (a busy loop)",
        )
        self.aborting = True

    @staticmethod
    def _foreign(exc: BaseException) -> bool:
        """An exception that is not the subject's to raise: a ``BaseException`` outside the
        builtin ones (pytest's outcome exceptions: a test timeout firing inside a run),
        or the ``KeyboardInterrupt`` of a real Ctrl-C. It ends the run and is raised
        again from ``Engine.run``."""
        if isinstance(exc, KeyboardInterrupt):
            return getattr(exc, "_interlock_sigint", False)
        return not isinstance(exc, (Exception, SystemExit, GeneratorExit, Aborted))

    def _raise_after_run(self, exc: BaseException) -> None:
        if self._internal_error is None:
            self._internal_error = exc
        self._set_stop(Stop.ERROR, f"{type(exc).__name__} raised into the run")
        self.aborting = True

    def _on_sigint(self, signum, frame) -> None:
        """Ctrl-C: end the run at once and raise KeyboardInterrupt from ``Engine.run``
        (inside a controlled thread, a subject's bare ``except`` must not swallow it)."""
        interrupt = KeyboardInterrupt()
        interrupt._interlock_sigint = True
        th = self.current() if self._running else None
        if th is None:
            raise interrupt
        self._raise_after_run(interrupt)
        self._abandon(th)

    # -- a run ----------------------------------------------------------------------

    def run(
        self,
        fn: Callable,
        args: tuple = (),
        kwargs: dict | None = None,
        *,
        strategy: Strategy,
        max_steps: int = 200_000,
        time_limit: float = math.inf,
        grace: float = 10.0,
        spin_limit: float = 1.0,
        main_name: str = "MainThread",
        setup: Callable[[], None] | None = None,
        on_stop: Callable[[], None] | None = None,
        slice: float | None = None,
        deadline: float = math.inf,
        fn_name: str | None = None,
    ) -> Execution:
        """Run ``fn(*args, **kwargs)`` as thread 1 under ``strategy``; never hangs.

        The caller prepares the strategy (``new_execution()``) beforehand.
        ``max_steps`` bounds the scheduling steps made without virtual time passing (a
        livelock makes them; a pool that polls lets time pass as it goes).
        ``time_limit`` bounds virtual time before main returns; ``grace`` bounds
        the virtual time threads left behind may still use after it returns.
        ``spin_limit`` is the real time one step may take. ``setup``, if given,
        runs first inside thread 1 (so it sees the virtual clock). ``on_stop`` is
        called once, the moment the run is stopped (deadlock, budget, spin...),
        before any of its threads is unwound. ``slice`` (real seconds), when given,
        preempts a thread that runs that long without a scheduling point (see
        ``_watchdog``); it needs the session on the main OS thread (``can_slice``).
        ``deadline`` (``time.perf_counter``) cuts the run at its next scheduling point
        once it passes: the run ends as ``Stop.CUT``, which says nothing of the subject.
        ``fn_name`` is how reports name the function (default: ``fn``'s own name).
        """
        if self._running:
            msg = "Engine.run() is not re-entrant: a controlled run is already in progress"
            raise RuntimeError(msg)
        wall0 = _real_perf_counter()
        if self._session_depth == 0:
            with self.session():
                return self.run(
                    fn,
                    args,
                    kwargs,
                    strategy=strategy,
                    max_steps=max_steps,
                    time_limit=time_limit,
                    grace=grace,
                    spin_limit=spin_limit,
                    main_name=main_name,
                    setup=setup,
                    on_stop=on_stop,
                    slice=slice,
                    deadline=deadline,
                    fn_name=fn_name,
                )
        # Inside a session (the fast path): no context manager per run.
        self._running = True
        # No automatic garbage collection inside a run: a collection would run whatever
        # finalizers the garbage of earlier code has (a __del__ that puts on a queue, a
        # generator's finally) inside the current thread, adding scheduling points that
        # depend on allocation history, not on the seed. Garbage waits for the first
        # allocation after the run, outside every controlled thread.
        collecting = gc.isenabled()
        gc.disable()
        watcher = None
        try:
            self._reset()
            if getattr(strategy, "wants_steps", False):
                watcher = self._watcher(strategy)
                watcher.begin(self)
            self._strategy = strategy
            self._next_thread = strategy.next_thread  # one attribute lookup less per decision
            self._max_steps = max_steps
            self._step_limit = max_steps  # moves on each time virtual time passes
            self._deadline = deadline
            self._limit = time_limit
            self._grace = grace
            self._spin_limit = spin_limit if spin_limit and spin_limit > 0 else math.inf
            self._on_stop = on_stop
            self._fn_name = fn_name or getattr(fn, "__name__", "the function")
            self._slice = slice if slice and self.can_slice else None
            if self._slice is not None:
                self._slice_steps = -1
                self._watchdog.start_slices(self._slice)
            return self._run(fn, args, kwargs or {}, main_name, setup, wall0)
        finally:
            if watcher is not None:
                watcher.end(self)
            if self._slice is not None:
                self._watchdog.stop_slices()
            if collecting:
                gc.enable()
            self._running = False
            _primitives.install(None)
            self._patches.end_run()
            # The run's records hold its Thread objects (in threading._dangling) and
            # their targets: let them go now, not at the next run's _reset.
            self._threads = {}
            self._main = None
            self.names = None  # the run's downloader and threads keep theirs

    def _watcher(self, strategy):
        """The notes of what each step touches, for a strategy that asks (``wants_steps``)."""
        from ._footprints import Footprints  # only such a strategy's runs need it

        watcher = self.footprints
        if watcher is None or watcher.strategy is not strategy:
            commute = getattr(strategy, "downloads_commute", False)
            watcher = self.footprints = Footprints(strategy, downloads_commute=commute)
        return watcher

    def _run(self, fn, args, kwargs, main_name, setup, wall0) -> Execution:
        self._hub = getcurrent()
        if self._idle_os_thread != _real_get_ident():
            # Pooled workers belong to the OS thread that made them: a run hosted on
            # another one starts a pool of its own (the old one is left to its thread).
            self._idle = []
            self._starter = None
            self._idle_os_thread = _real_get_ident()
        self._start_starter()
        self._patches.begin_run()
        _primitives.install(self)

        def main_target() -> None:
            try:
                if setup is not None:
                    setup()
                self._main_result = fn(*args, **kwargs)
            except Aborted:
                raise
            except BaseException as exc:  # noqa: BLE001 - main's exception is the run's result
                if self._foreign(exc):
                    self._raise_after_run(exc)
                else:
                    self._main_exc = exc

        main_obj = threading.Thread(target=main_target, name=main_name, daemon=False)
        threading._limbo[main_obj] = main_obj
        self._main = self._patches.start_thread_object(main_obj)
        self._progress_at = _real_perf_counter()
        try:
            self._main.glet.switch()
            while self._stop_reason is None and self._live:
                self._schedule(None, False)
        except _Stop:
            pass
        return self._finish(wall0)

    def _finish(self, wall0: float) -> Execution:
        reason = self._stop_reason or Stop.ENDED
        notes: list[str] = []
        blocked: tuple[ThreadState, ...] = ()
        if reason != Stop.ENDED or self._live:  # _live: threads not yet ended
            blocked = self._snapshot(alive_only=False)
        at_end = tuple(s for s in blocked if s.alive)
        diagnosis = None
        if reason == Stop.ERROR:
            pass
        elif reason == Stop.EXITED:
            diagnosis = self._stop_detail
        elif blocked:
            diagnosis = _report.diagnose(
                reason,
                self._stop_detail,
                blocked,
                self.threads(),
                main_done=self._main_done,
                now=self.now,
                grace=self._grace,
                fn_name=self._fn_name,
            )
        self._kill_all()
        if self._internal_error is not None:
            raise self._internal_error
        if self._main_done and reason != Stop.ENDED:
            notes.append(f"after main returned: {reason} ({self._stop_detail or 'no detail'})")
        if reason == Stop.DEADLOCK and self._main_done:
            reason = Stop.ENDED  # main is done; what is left could never run again
        return Execution(
            stop=reason,
            main_done=self._main_done,
            result=self._main_result,
            exception=self._main_exc,
            decisions=tuple(self._decisions),
            steps=self.steps,
            virtual_time=self.now,
            wall_time=_real_perf_counter() - wall0,
            threads_at_return=self._at_return,
            threads_at_end=at_end,
            blocked=blocked if not self._main_done else (),
            diagnosis=diagnosis,
            thread_errors=tuple(self._thread_errors),
            notes=tuple(notes),
            exit=self._exit,
            sliced=self._slice is not None,
        )


def _nested_code(function, name: str):
    """The code object of the function ``name`` defined inside ``function``."""
    for const in function.__code__.co_consts:
        if getattr(const, "co_name", None) == name:
            return const
    msg = f"{function.__qualname__} defines no {name}"
    raise LookupError(msg)


# Where a controlled thread's frames go from interlock's code to the subject's: a
# thread's body, run's main thread, and the call of download_all (see _preemptible).
Engine._entries = frozenset(
    (Engine._body.__code__, _nested_code(Engine._run, "main_target"), call_subject.__code__)
)
