"""A controlled thread's life: made runnable by ``spawn``, run on a pooled greenlet,
ended, and (when a run is stopped) killed.

Part of the engine (a mixin of ``Engine``). Greenlets are pooled: making one
costs about 12 us (its own frame stack), reusing one costs nothing. A worker
greenlet runs one thread's body at a time, then *parks*: it picks the next
thread itself and switches straight to it (one switch instead of two through
the hub), and resumes only when ``spawn`` hands it a new thread.
"""

from __future__ import annotations

import contextvars
import sys
import time
from bisect import insort

from greenlet import getcurrent, greenlet

from ...models import Crash, ThreadNames, ThreadState
from .._frames import crash_where
from .._harness import Aborted
from . import _report
from ._watchdog import SpinDetected

__all__ = ["Lifecycle", "ThreadRec"]

_real_perf_counter = time.perf_counter  # taken before any patch


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
        "last_ran",
        "names",
        "obj",
        "started",
        "tid",
        "token",
        "tstate",
        "waitlist",
        "what",
        "woke",
    )

    def __init__(self, tid: int, func, obj, names: ThreadNames | None = None) -> None:
        self.tid = tid
        self.names = names  # the run's: a name of its own even when threads share one
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
        self.what = None  # what it waits on (a modelled wait: see _primitives.Wait)
        self.deadline = None
        self.done = False
        self.tstate = None
        self.handle = None
        self.daemon = False
        self.last_ran = 0  # the decision at which it last ran or became runnable (fairness)

    @property
    def name(self) -> str:
        obj = self.obj
        if obj is not None:
            try:
                names = self.names
                return obj.name if names is None else names.of(obj)
            except Exception:  # noqa: BLE001 - a half-built Thread subclass
                pass
        return f"thread-{self.tid}"

    def __repr__(self) -> str:
        return f"<ThreadRec {self.tid} {self.name}>"


# Greenlets that would not die when killed: kept so they are never collected (and
# thrown into again) later.
_GRAVEYARD: list = []


class Lifecycle:
    """Spawning, running, ending and killing the run's threads."""

    def spawn(self, func, args=(), kwargs=None, *, obj=None, handle=None) -> ThreadRec:
        """Create a controlled thread running ``func(*args, **kwargs)``; it is runnable."""
        tid = self._next_tid
        self._next_tid += 1
        th = ThreadRec(tid, func, obj, self.names)
        th.handle = handle
        if handle is not None:
            handle.ident = tid
            handle.owner = th
        if obj is not None:
            th.daemon = bool(getattr(obj, "_daemonic", False))
            # Named as it starts, so threads that share a name are numbered in start order:
            # inline, the common case (a name no thread of the run has had).
            name = getattr(obj, "_name", None)
            if type(name) is not str or self.names.holders.setdefault(name, id(obj)) != id(obj):
                th.name  # noqa: B018 - numbered (or a half-built Thread subclass, named later)
        th.args = args
        th.kwargs = kwargs or {}
        if self._idle:
            glet = self._idle.pop()
            if glet.parent is not self._hub:
                glet.parent = self._hub
        else:
            glet = self._starter.switch(getcurrent())  # a fresh worker, started shallow
        # A new thread starts in an empty context, as in CPython: nothing set with
        # contextvars by the worker's last thread (or an earlier run) leaks into it.
        glet.gr_context = contextvars.Context()
        th.glet = glet
        th.last_ran = self._decision_no
        self._live += 1
        self._threads[tid] = th
        self._by_glet[glet] = th
        insort(self._runnable, tid)
        return th

    def _start_starter(self) -> None:
        """From the hub: the greenlet that starts every fresh worker (see ``_starter_loop``)."""
        starter = self._starter
        if starter is None or starter.dead:
            starter = self._starter = greenlet(self._starter_loop, parent=self._hub)
            starter.switch()
        elif starter.parent is not self._hub:
            starter.parent = self._hub

    def _starter_loop(self) -> None:
        """Start fresh worker greenlets from a shallow stack.

        A greenlet starts at the Python recursion depth of whoever first switches into
        it: a worker started from deep inside a thread that starts threads (a chain of
        a few hundred) would inherit that depth and die of RecursionError. This
        greenlet, started once from the hub, makes each new worker take its first step
        here and hands it over parked."""
        requester = self._hub.switch()  # parked until spawn asks
        while True:
            glet = greenlet(self._worker, parent=self._hub)
            glet.switch()  # the worker parks at once, back here
            requester = requester.switch(glet)

    def _worker(self) -> None:
        """A pooled greenlet: run the thread assigned to it, then park (see the module)."""
        me = getcurrent()
        self._starter.switch()  # started: park until spawn hands it a thread
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
        except BaseException as exc:  # noqa: BLE001 - a raw _thread thread's uncaught error
            self.thread_died(th, exc)
        finally:
            self._end(th)

    def thread_died(self, th: ThreadRec, exc: BaseException) -> None:
        """``exc`` escaped ``th``'s body (a raw thread's function, or a ``Thread.run``
        through ``threading.excepthook``): say what it means for the run."""
        if isinstance(exc, SpinDetected):
            if self._stop_reason is None:  # from the watchdog off the main OS thread
                self._spin_stop(th, exc)
        elif isinstance(exc, Aborted):
            pass  # the run is stopping
        elif self._foreign(exc):
            self._raise_after_run(exc)
        elif not isinstance(exc, SystemExit) and not self.aborting:
            # What dies while a stopped run is being unwound is not the subject's doing.
            self._thread_errors.append(
                Crash.from_exception(exc, thread=th.name, where=crash_where(exc), guard=False)
            )

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
        """End every greenlet still alive; subject ``finally`` blocks run, nothing schedules.

        Logging is off meanwhile: what the threads log while they are unwound
        (concurrent.futures logs "Exception in worker" for interlock's stop) is not
        theirs to say, and would land in interlock's own output."""
        self.aborting = True
        if all(th.done for th in self._threads.values()):
            return  # the common case: every thread ended by itself
        logging = sys.modules.get("logging")
        if logging is None:
            self._kill_each()
            return
        before = logging.root.manager.disable
        logging.disable(logging.CRITICAL)
        try:
            self._kill_each()
        finally:
            logging.disable(before)

    def _kill_each(self) -> None:
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
            if tid in self._abandoned:  # left where it was stuck (a spin, a blocking call)
                _GRAVEYARD.append(glet)
                th.done = True
                th.blocked = False
                self._live -= 1
                continue
            for _ in range(3):  # a subject that swallows Aborted gets two more
                self._abort_hits = 0
                if th.done or glet.dead or tid in self._abandoned:
                    break
                self._killing_since = _real_perf_counter()
                try:
                    glet.throw(Aborted("run stopped"))
                except BaseException:  # noqa: BLE001,S110 - dying subject code; nothing to report to
                    pass
                self._killing_since = None
            if not th.done:
                _GRAVEYARD.append(glet)
                th.done = True
                th.blocked = False
                self._live -= 1
            if glet.dead and glet in self._idle:
                self._idle.remove(glet)
        self._by_glet.clear()
