"""The controlled scheduler: subject threads as greenlets, one running at a time.

How a run goes. ``Engine.run`` is called from some greenlet (the *hub*). It
makes the subject's main thread (id 1) and switches to it. From then on,
control passes directly from thread greenlet to thread greenlet at scheduling
points (``point``: the caller may go on; ``block``: it may not). A thread
that ends parks its (pooled) greenlet and picks the next thread itself; the
hub is resumed only when no thread is left or a stop (deadlock, budget, spin)
is requested, and then snapshots every thread, throws ``Aborted`` into each
remaining greenlet and restores the world.

Bookkeeping is incremental: live threads and live timers are counted (a timer
whose waiter was notified stays in the heap, stale, until time advances), the
runnable list stays sorted by insertion, and a point with a single runnable
thread and no live timer neither asks the strategy nor switches.

The hot path (``point``/``block``/``_schedule``) does no frame walking and no
formatting: reports are built only when a run ends badly or main returns with
threads left, in ``_report``.
"""

from __future__ import annotations

import _thread
import gc
import heapq
import itertools
import math
import signal
import threading
import time
from bisect import insort
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from greenlet import getcurrent, greenlet

from ...models import Crash, ThreadState
from ...models.record import PROCESS_EXIT
from .._harness import Aborted
from . import _primitives, _report
from ._patching import Patches
from .strategy import CLOCK, Strategy

__all__ = [
    "DEADLOCK",
    "ENDED",
    "EXITED",
    "Engine",
    "Execution",
    "SPIN",
    "STEP_BUDGET",
    "SpinDetected",
    "StrategyError",
    "TIMEOUT",
]

# Why a run stopped. ENDED: every thread ended (or main ended and the rest could
# never run again: see Execution.leftover).
ENDED = "ended"
DEADLOCK = "deadlock"
TIMEOUT = "timeout"
SPIN = "spin"
STEP_BUDGET = "step_budget"
EXITED = "exited"  # a thread called os._exit: the process would have ended there

_real_perf_counter = time.perf_counter
_real_get_ident = _thread.get_ident


class SpinDetected(Aborted):
    """Thrown into a thread that ran too long (real time) without a scheduling point."""


class StrategyError(RuntimeError):
    """The strategy answered something that is not one of the choices it was given."""


class _Stop(Exception):
    """Internal: unwind the hub's scheduling when a stop was requested from the hub."""


class ThreadRec:
    """The engine's record of one controlled thread (mutable, hot: slots only)."""

    __slots__ = (
        "args",
        "blocked",
        "daemon",
        "deadline",
        "done",
        "func",
        "glet",
        "handle",
        "kwargs",
        "obj",
        "started",
        "tid",
        "token",
        "tstate",
        "waitlist",
        "what",
        "woke",
    )

    def __init__(self, tid: int, func, obj) -> None:
        self.tid = tid
        self.func = func
        self.args = ()
        self.kwargs = None
        self.started = False
        self.obj = obj  # the threading.Thread, when the thread has one
        self.glet = None
        self.blocked = False
        self.woke = True
        self.token = 0
        self.waitlist = None
        self.what = None
        self.deadline = None
        self.done = False
        self.tstate = None
        self.handle = None
        self.daemon = False

    @property
    def name(self) -> str:
        obj = self.obj
        if obj is not None:
            try:
                return obj.name
            except Exception:  # noqa: BLE001 - a half-built Thread subclass
                pass
        return f"thread-{self.tid}"

    def __repr__(self) -> str:
        return f"<ThreadRec {self.tid} {self.name}>"


@dataclass(frozen=True)
class Execution:
    """What one controlled run produced.

    ``stop`` is why scheduling ended (ENDED, DEADLOCK, TIMEOUT, SPIN,
    STEP_BUDGET, EXITED). ``main_done`` says whether the main function finished
    before that; if so ``result``/``exception`` hold its outcome, and a stop after
    it concerns only the threads it left (``leftover``). ``exit`` is the
    ``os._exit`` call that ended the run (EXITED), as a crash naming its thread.
    """

    stop: str
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

    @property
    def leftover(self) -> tuple[ThreadState, ...]:
        """Threads main left behind that never ended."""
        return self.threads_at_end if self.main_done else ()


class Engine:
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
        self._by_glet: dict = {}
        self._reset()

    # -- patches ------------------------------------------------------------

    @contextmanager
    def session(self):
        """Keep the patches installed for every run made inside this block."""
        if self._session_depth == 0:
            self._patches.install()
            self._watchdog = _Watchdog(self)
            try:
                self._watchdog.start()
            except BaseException:
                self._patches.uninstall()
                raise
        self._session_depth += 1
        try:
            yield self
        finally:
            self._session_depth -= 1
            if self._session_depth == 0:
                self._watchdog.stop()
                self._patches.uninstall()

    # -- per-run state --------------------------------------------------------

    def _reset(self) -> None:
        self.run_serial += 1
        self.now = 0.0
        self.steps = 0
        self.aborting = False
        self._threads: dict[int, ThreadRec] = {}
        self._by_glet.clear()  # cleared, never replaced: the patches hold its .get
        self._runnable: list[int] = []
        self._timers: list = []
        self._live_timers = (
            0  # timers whose waiter still waits on them (stale ones stay in the heap)
        )
        self._live = 0  # threads spawned and not yet ended
        self._timer_seq = itertools.count()
        self._next_tid = 1
        self._decisions: list[int] = []
        self._stop_reason: str | None = None
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
        self._limit = math.inf

    # -- the hot path -----------------------------------------------------------

    def current(self) -> ThreadRec | None:
        """The controlled thread calling, or None for any other caller."""
        return self._by_glet.get(getcurrent())

    def in_world(self) -> bool:
        """The caller is a controlled thread, or the hub while a run is in progress."""
        me = getcurrent()
        return me in self._by_glet or (self._running and me is self._hub)

    def point(self, th: ThreadRec) -> None:
        """A scheduling point where ``th`` could go on running."""
        self._schedule(th, True)

    def block(self, th: ThreadRec, waitlist: list | None, deadline: float | None, what) -> bool:
        """Block ``th`` on ``waitlist`` until woken (True) or ``deadline`` passes (False)."""
        if self.aborting:
            msg = "run stopped"
            raise Aborted(msg)
        th.blocked = True
        th.what = what
        th.deadline = deadline
        th.token += 1
        th.waitlist = waitlist
        if waitlist is not None:
            waitlist.append(th)
        if deadline is not None:
            heapq.heappush(self._timers, (deadline, next(self._timer_seq), th.token, th))
            self._live_timers += 1
        self._runnable.remove(th.tid)
        self._schedule(th, False)
        return th.woke

    def wake_all(self, waitlist: list) -> None:
        runnable = self._runnable
        for th in waitlist:
            if not th.blocked:
                continue  # left over from a stopped run (killed while it waited here)
            th.blocked = False
            th.woke = True
            th.waitlist = None
            th.what = None
            if th.deadline is not None:
                th.deadline = None
                self._live_timers -= 1  # its heap entry is now stale (token/blocked check)
            insort(runnable, th.tid)
        waitlist.clear()

    def _wake_timeout(self, th: ThreadRec) -> None:
        th.blocked = False
        th.woke = False
        th.deadline = None
        self._live_timers -= 1
        if th.waitlist is not None:
            th.waitlist.remove(th)
            th.waitlist = None
        th.what = None
        insort(self._runnable, th.tid)

    def _schedule(self, th: ThreadRec | None, can_continue: bool) -> None:
        """Pick who runs next (asking the strategy only when there is a choice) and switch."""
        if self.aborting:
            return
        steps = self.steps = self.steps + 1
        if steps > self._max_steps:
            self._stop(STEP_BUDGET, f"more than {self._max_steps} scheduling steps")
        runnable = self._runnable
        while True:
            # A live-timer count, not a scan of the heap: stale entries (waiters woken
            # by a notify) are dropped only when time advances.
            if self._live_timers:
                if not runnable:
                    self._advance()
                    continue
                choices = (CLOCK, *runnable)
            elif not runnable:
                self._stop(DEADLOCK, None)
                return  # only reached on the hub: the caller sees _stop_reason
            elif len(runnable) == 1:
                pick = runnable[0]
                break
            else:
                choices = tuple(runnable)
            try:
                pick = self._next_thread(choices, th.tid if can_continue else None)
            except Exception as exc:  # noqa: BLE001 - e.g. ReplayDiverged: the run's error, not the subject's
                # Raised here it would surface inside the subject's code (and could be
                # caught there): stop the run and raise it from Engine.run instead.
                self._internal_error = exc
                self._stop("error", str(exc))
                return
            if pick not in choices:
                msg = f"strategy {self._strategy!r} chose {pick!r}, which is not one of {choices}"
                self._internal_error = StrategyError(msg)
                self._stop("error", msg)
                return
            self._decisions.append(pick)
            if pick == CLOCK:
                self._advance()
                continue
            break
        if th is not None and pick == th.tid:
            return
        self._threads[pick].glet.switch()

    def _advance(self) -> None:
        """Move virtual time to the next timer and wake everything due."""
        timers = self._timers
        while True:  # drop stale entries; there is a live one (_live_timers > 0)
            _, _, token, waiter = timers[0]
            if waiter.blocked and waiter.token == token:
                break
            heapq.heappop(timers)
        deadline = timers[0][0]
        if deadline > self._limit:
            self._stop(TIMEOUT, f"virtual time would pass {self._limit:g}s")
            return
        if deadline > self.now:
            self.now = deadline
        now = self.now
        while timers and timers[0][0] <= now:
            _, _, token, waiter = heapq.heappop(timers)
            if waiter.blocked and waiter.token == token:
                self._wake_timeout(waiter)

    def process_exit(self, th: ThreadRec, status, where: str | None) -> None:
        """``os._exit(status)`` in ``th``: end the run there, as the process would end."""
        at = f" at {where}" if where else ""
        message = f"os._exit({status!r}) called in {th.name}{at}: the process would end here"
        self._exit = Crash(PROCESS_EXIT, message, thread=th.name)
        self._stop(EXITED, message)

    def _stop(self, reason: str, detail: str | None) -> None:
        if self._stop_reason is None:
            self._stop_reason = reason
            self._stop_detail = detail
        if getcurrent() is not self._hub:
            self._hub.switch()
            # Resumed only by the hub's throw(); if a plain switch ever comes back, end anyway.
            msg = "run stopped"
            raise Aborted(msg)
        raise _Stop

    # -- threads ------------------------------------------------------------------

    def spawn(self, func, args=(), kwargs=None, *, obj=None, handle=None) -> ThreadRec:
        """Create a controlled thread running ``func(*args, **kwargs)``; it is runnable."""
        tid = self._next_tid
        self._next_tid += 1
        th = ThreadRec(tid, func, obj)
        th.handle = handle
        if handle is not None:
            handle.ident = tid
            handle.owner = th
        if obj is not None:
            th.daemon = bool(getattr(obj, "_daemonic", False))
        th.args = args
        th.kwargs = kwargs or {}
        # Greenlets are pooled: making one costs ~12 us (its own frame stack), reusing one
        # costs nothing. A worker runs one thread's body at a time (see _worker).
        if self._idle:
            glet = self._idle.pop()
            if glet.parent is not self._hub:
                glet.parent = self._hub
        else:
            glet = greenlet(self._worker, parent=self._hub)
        th.glet = glet
        self._live += 1
        self._threads[tid] = th
        self._by_glet[th.glet] = th
        insort(self._runnable, tid)
        return th

    def _worker(self) -> None:
        """A pooled greenlet: run the thread assigned to it, then park.

        Parking is choosing the next thread and switching straight to it (the same
        decision the hub would make, one greenlet switch instead of two); the hub
        is resumed only when nothing is left to run or the run is stopping. A
        parked worker resumes when ``spawn`` hands it a new thread.
        """
        me = getcurrent()
        by_glet = self._by_glet
        while True:
            th = by_glet[me]
            th.started = True
            self._body(th, th.func, th.args, th.kwargs)
            th.args = th.kwargs = th.func = None
            by_glet.pop(me, None)
            self._idle.append(me)
            # Parked, this frame must not keep its last thread alive (its Thread object,
            # target and arguments) until the worker is reused.
            th = None
            while me not in by_glet:
                if self.aborting or self._stop_reason is not None or not self._live:
                    self._hub.switch()
                    continue
                try:
                    self._schedule(None, False)
                except Aborted:
                    pass  # the stop it raised (deadlock...) belongs to a run that is over

    def _body(self, th: ThreadRec, func, args, kwargs) -> None:
        try:
            func(*args, **kwargs)
        except Aborted:
            pass
        except BaseException as exc:  # noqa: BLE001 - a raw _thread thread's uncaught error
            if not isinstance(exc, SystemExit):
                self._thread_errors.append(Crash.from_exception(exc, thread=th.name))
        finally:
            self._end(th)

    def _end(self, th: ThreadRec) -> None:
        if not th.done:
            self._live -= 1
        th.done = True
        th.blocked = False
        if th.tstate is not None and th.tstate.locked():
            th.tstate.release()
        if th.handle is not None:
            th.handle._set_done()
        if th.tid in self._runnable:
            self._runnable.remove(th.tid)
        if th is self._main and not self._main_done and not self.aborting:
            self._main_done = True
            self._limit = min(self._limit, self.now + self._grace)
            self._at_return = self._snapshot(alive_only=True)

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
    ) -> Execution:
        """Run ``fn(*args, **kwargs)`` as thread 1 under ``strategy``; never hangs.

        The caller prepares the strategy (``new_execution()``) beforehand.
        ``time_limit`` bounds virtual time before main returns; ``grace`` bounds
        the virtual time threads left behind may still use after it returns.
        ``spin_limit`` is the real time one step may take. ``setup``, if given,
        runs first inside thread 1 (so it sees the virtual clock).
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
        try:
            return self._run(
                fn,
                args,
                kwargs or {},
                strategy,
                max_steps,
                time_limit,
                grace,
                spin_limit,
                main_name,
                setup,
                wall0,
            )
        finally:
            if collecting:
                gc.enable()
            self._running = False
            _primitives.install(None)
            self._patches.end_run()
            # The run's records hold its Thread objects (in threading._dangling) and
            # their targets: let them go now, not at the next run's _reset.
            self._threads = {}
            self._main = None

    def _run(
        self,
        fn,
        args,
        kwargs,
        strategy,
        max_steps,
        time_limit,
        grace,
        spin_limit,
        main_name,
        setup,
        wall0,
    ) -> Execution:
        self._reset()
        self._strategy = strategy
        self._next_thread = strategy.next_thread  # one attribute lookup less per decision
        self._max_steps = max_steps
        self._limit = time_limit
        self._grace = grace
        self._hub = getcurrent()
        if self._idle_os_thread != _real_get_ident():
            # Pooled workers belong to the OS thread that made them: a run hosted on
            # another one starts a pool of its own (the old one is left to its thread).
            self._idle = []
            self._idle_os_thread = _real_get_ident()
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
                self._main_exc = exc

        main_obj = threading.Thread(target=main_target, name=main_name, daemon=False)
        threading._limbo[main_obj] = main_obj
        self._main = self._patches.start_thread_object(main_obj)
        self._spin_limit = spin_limit if spin_limit and spin_limit > 0 else math.inf
        self._progress_at = _real_perf_counter()
        try:
            self._main.glet.switch()
            while self._stop_reason is None and self._live:
                self._schedule(None, False)
        except _Stop:
            pass
        return self._finish(wall0)

    def _finish(self, wall0: float) -> Execution:
        reason = self._stop_reason or ENDED
        notes: list[str] = []
        blocked: tuple[ThreadState, ...] = ()
        if reason != ENDED or self._live:  # _live: threads not yet ended
            blocked = self._snapshot(alive_only=False)
        at_end = tuple(s for s in blocked if s.alive)
        diagnosis = None
        if reason == "error":
            pass
        elif reason == EXITED:
            diagnosis = self._stop_detail
        elif blocked:
            diagnosis = _report.diagnose(
                reason,
                self._stop_detail,
                blocked,
                self._threads,
                main_done=self._main_done,
                now=self.now,
                grace=self._grace,
            )
        self._kill_all()
        if self._internal_error is not None:
            raise self._internal_error
        if self._main_done and reason != ENDED:
            notes.append(f"after main returned: {reason} ({self._stop_detail or 'no detail'})")
        if reason == DEADLOCK and self._main_done:
            reason = ENDED  # main is done; what is left could never run again
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
        )

    def _snapshot(self, *, alive_only: bool) -> tuple[ThreadState, ...]:
        me = getcurrent()
        states = []
        for tid in sorted(self._threads):
            th = self._threads[tid]
            if th.done and alive_only:
                continue
            if th.glet is me:
                continue
            spin = self._spin_state if tid == self._spin_tid else None
            states.append(spin or _report.thread_state(th, self))
        return tuple(states)

    def _kill_all(self) -> None:
        """End every greenlet still alive; subject ``finally`` blocks run, nothing schedules."""
        self.aborting = True
        for tid in sorted(self._threads):
            th = self._threads[tid]
            glet = th.glet
            if th.done:
                continue
            if not th.started:  # assigned to a parked (or fresh) worker that never ran it
                th.done = True
                self._live -= 1
                self._by_glet.pop(glet, None)
                self._idle.append(glet)
                continue
            for _ in range(3):  # a subject that swallows Aborted gets two more
                if th.done or glet.dead:
                    break
                self._killing_since = _real_perf_counter()
                try:
                    glet.throw(Aborted("run stopped"))
                except BaseException:  # noqa: BLE001,S110 - dying subject code; nothing to report to
                    pass
                self._killing_since = None
            if not th.done:
                # It would not die: keep it from being collected (and thrown into) later.
                _GRAVEYARD.append(glet)
                th.done = True
                th.blocked = False
                self._live -= 1
            if glet.dead and glet in self._idle:
                self._idle.remove(glet)
        self._by_glet.clear()

    # -- spin detection -------------------------------------------------------------

    def _tick(self, frame, raise_it: bool = True) -> None:
        """Called every watchdog tick: a run that made no step for ``spin_limit`` real
        seconds is stuck in one step (a spin loop or an unmodelled blocking call)."""
        if not self._running:
            return
        now = _real_perf_counter()
        if self.aborting or self._stop_reason is not None:
            # While threads are being stopped, one may block in a real (unmodelled) lock
            # held by another greenlet in a ``finally``: interrupt it too.
            since = self._killing_since
            if (
                raise_it
                and since is not None
                and now - since >= self._spin_limit
                and self.current()
            ):
                self._killing_since = now
                msg = "stuck while being stopped (blocked in something not modelled)"
                raise Aborted(msg)
            return
        if self.steps != self._steps_at_tick:
            self._steps_at_tick = self.steps
            self._progress_at = now
            return
        if now - self._progress_at < self._spin_limit:
            return
        if raise_it:
            th = self.current()
            if th is None:
                return
            self._spin_state = _report.spin_state(th, frame, self)
            self._spin_tid = th.tid
        else:
            # From another OS thread: the running greenlet is the started one without a frame.
            running = [
                t
                for t in self._threads.values()
                if not t.done and t.glet and t.glet.gr_frame is None
            ]
            if not running:
                return
            th = running[0]
            self._spin_state = ThreadState(
                th.name, daemon=th.daemon, waiting_on="running without a scheduling point"
            )
            self._spin_tid = th.tid
        self._stop_reason = SPIN
        self._stop_detail = (
            f"{th.name} ran for more than {self._spin_limit:g}s of real time without reaching a "
            f"scheduling point at {self._spin_state.where or '?'} (a busy loop, or a call that "
            "blocks in something the scheduler does not model: a socket, input(), a C lock)"
        )
        self.aborting = True
        raise SpinDetected(self._stop_detail)


_GRAVEYARD: list = []


class _Watchdog:
    """Real-time progress check for a session: a SIGALRM interval timer when the
    session is on the main OS thread, else a helper OS thread that raises in the
    engine's thread with ``PyThreadState_SetAsyncExc`` (which cannot interrupt a
    blocking C call, but does stop a pure-Python spin loop)."""

    TICK = 0.1  # real seconds between checks; the per-run limit is Engine._spin_limit

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._old_handler = None
        self._old_timer = (0.0, 0.0)
        self._stopped = False
        self._t0 = 0.0

    def start(self) -> None:
        if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
            self._old_handler = signal.signal(signal.SIGALRM, self._on_alarm)
            self._old_timer = signal.setitimer(signal.ITIMER_REAL, self.TICK, self.TICK)
            self._t0 = _real_perf_counter()
        else:
            self._start_thread()

    def _on_alarm(self, signum, frame) -> None:
        self.engine._tick(frame)

    def _start_thread(self) -> None:
        import ctypes

        patches = self.engine._patches
        target = patches.real("_thread", "get_ident")()
        real_sleep = patches.real("time", "sleep")
        engine = self.engine

        def watch() -> None:
            while not self._stopped:
                real_sleep(self.TICK)
                if self._stopped:
                    return
                try:
                    engine._tick(None, raise_it=False)
                except SpinDetected:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(target), ctypes.py_object(SpinDetected)
                    )

        patches.real("_thread", "start_new_thread")(watch, ())

    def stop(self) -> None:
        self._stopped = True
        if self._old_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            delay, interval = self._old_timer
            if delay:
                used = _real_perf_counter() - self._t0
                signal.setitimer(signal.ITIMER_REAL, max(delay - used, 0.001), interval)
