"""Real-time progress checks: a step that takes too long in real time ends the run.

A thread that runs without reaching a scheduling point (a busy loop, or a call
into something the scheduler does not model, such as a socket or ``select``)
would hold the only running greenlet forever. A watchdog OS thread wakes every
``TICK`` real seconds for a whole session and asks the engine (``SpinWatch._tick``,
a mixin of ``Engine``) whether the current step has lasted ``spin_limit``
seconds; only then does it interrupt the engine's thread, so no call of the
subject's is ever cut short otherwise (an interval timer would interrupt every
``sleep`` in C every tick).

How it interrupts: on the main OS thread, by sending ``SIGNAL`` to it; the
handler runs in the stuck greenlet, records where it was, and switches straight
to the hub, abandoning the greenlet (it is never resumed, so a loop that catches
every exception cannot go on). A blocked system call is interrupted by the
signal too. Off the main thread, where Python runs no signal handlers,
``PyThreadState_SetAsyncExc`` raises ``SpinDetected`` in the engine's thread
instead; that stops a pure-Python loop but not a blocking C call.

Whether the thread was blocked in the kernel or running is read from
``/proc`` where there is one: a blocked call the scheduler does not model makes
the run ``UNSUPPORTED`` (the subject may be correct: the thread that would
unblock it cannot run), a thread burning CPU is a ``SPIN``.

Time slices. A subject that busy-waits (``while not done: pass``) is correct on
a real machine, where the OS preempts the spinning thread. Once a run has shown
that a subject spins, the runtime runs it with ``slice`` seconds: a thread that
runs that long without a scheduling point is preempted as an OS would, in favour
of the runnable thread that has waited longest, or, if none can run, by letting
time pass to the next timer. Only when nothing else can ever run is the spin
real (``SPIN``). The moment of preemption is real time, but what the other
threads see is not: a busy-wait changes nothing while it waits, so the trace and
the decisions are the same in every run and in a replay.
"""

from __future__ import annotations

import _thread
import ctypes
import math
import os
import signal
import threading
import time

from ...models import Stop
from .._harness import Aborted
from . import _report

__all__ = ["SIGNAL", "SpinDetected", "SpinWatch", "Watchdog"]

_real_perf_counter = time.perf_counter  # taken before any patch
# How the session waits for the watch loop's OS thread to be gone (taken before any patch):
# 3.13 starts joinable threads; before it, a sentinel lock is released when the OS thread's
# state is cleared (what threading's join waits for).
_start_joinable = getattr(_thread, "start_joinable_thread", None)
_set_sentinel = getattr(_thread, "_set_sentinel", None)
_real_allocate_lock = _thread.allocate_lock

# A thread preempted with nothing else to run spins on while this much virtual time
# passes (a CPU that spins uses time); after SPIN_ALONE virtual seconds of spinning
# alone, the spin is one that cannot end.
SPIN_QUANTUM = 0.05
SPIN_ALONE = 5.0

# How often in a row the watchdog may find a step that lasted spin_limit inside
# interlock's own code, in a run with time slices, before it is taken for a spin.
_DEFER_LIMIT = 5

_thread_time = time.thread_time  # CPU time of the engine's OS thread: every greenlet's
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_OWN = _PACKAGE + os.sep
_SUBJECTS = os.path.join(_PACKAGE, "implementations") + os.sep  # the built-in subjects
_OWNED: dict = {}  # code object -> whether it is interlock's own (see _preemptible)


def _is_interlocks(filename: str) -> bool:
    """Whether code from ``filename`` is interlock's own, not a subject's (the built-in
    subjects live in the package too)."""
    path = os.path.abspath(filename) if filename and not filename.startswith("<") else ""
    return path.startswith(_OWN) and not path.startswith(_SUBJECTS)


# The signal the watchdog interrupts the engine's thread with (only when a step is
# stuck): a controlled thread cannot take it over (see _patching's signal functions).
SIGNAL = getattr(signal, "SIGUSR2", None)


class SpinDetected(Aborted):
    """Raised in a thread that ran too long (real time) without a scheduling point, when
    the watchdog cannot interrupt it with a signal."""


def _os_state(native_id: int | None) -> str | None:
    """The kernel's one-letter state of an OS thread (R running, S sleeping, D disk...),
    or None where it cannot be read."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/stat", "rb") as f:
            text = f.read().decode(errors="replace")
    except OSError:
        return None
    # "pid (comm) S ...": comm may hold spaces and parentheses; the state follows the last ")".
    return text.rsplit(")", 1)[-1].split()[0] if ")" in text else None


class SpinWatch:
    """The engine's side of the watchdog."""

    def _tick(self) -> bool:
        """From the watchdog's thread: whether the engine's thread must be interrupted now
        (the current step, or the killing of a stopped thread, took ``spin_limit``)."""
        if not self._running:
            return False
        now = _real_perf_counter()
        if self.aborting or self._stop_reason is not None:
            since = self._killing_since
            return since is not None and now - since >= self._spin_limit
        if now > self._deadline:
            # The caller's time is up: the run's next scheduling point ends it (see
            # Engine._over_step_limit). Set again at every tick: passing virtual time
            # raises the limit in the engine's thread meanwhile.
            self._step_limit = -1
        if self.steps != self._steps_at_tick:
            self._steps_at_tick = self.steps
            self._progress_at = now
            return False
        return now - self._progress_at >= self._spin_limit

    _deadline = math.inf  # the run's real-time deadline (see Engine.run)
    _preempted_at = -1  # the step of the last preemption
    _spun_alone = 0.0  # virtual seconds the current spinner has spun with nobody else

    _slice_since = 0.0  # the engine thread's CPU time when the current slice began
    _deferred = 0  # watchdog interruptions put off in a row (see _interrupted)
    _deferred_at = -1  # the step they were put off at
    # The code objects whose frames call the subject's code (a thread's body, the call
    # of download_all): a frame of interlock's own below one of them is not the subject's.
    _entries: frozenset = frozenset()

    def _slice_tick(self, signum, frame) -> None:
        """The slice timer fired (every ``slice`` seconds of CPU time, in the engine's
        thread): a thread that made no step for a whole slice used it up, and is
        preempted, but only where the subject's own code runs (see ``_preemptible``)."""
        if not self._running or self.aborting or self._stop_reason is not None:
            return
        now = _thread_time()
        if self.steps != self._slice_steps:
            self._slice_steps = self.steps
            self._slice_since = now
            return
        # The kernel may deliver two ticks close together: a whole slice of CPU time
        # without a step, measured here, is what makes a busy-wait.
        if now - self._slice_since < self._slice or not self._preemptible(frame):
            return  # not yet, or inside interlock's own code: a later tick tries again
        self._interrupted(frame, "R")

    def _preemptible(self, frame) -> bool:
        """Whether the thread interrupted at ``frame`` runs the subject's code (its own,
        or the library code it calls) rather than interlock's: a modelled lock's
        bookkeeping, the engine's, the fake download's. Only there may another thread
        be given the CPU: preempted inside interlock's code, the next thread would find
        a lock half taken or a record half written, and a run no machine can make."""
        entries = self._entries
        owned = _OWNED
        f = frame
        while f is not None:
            code = f.f_code
            if code in entries:
                return True  # reached the call of the subject's code through no own frame
            mine = owned.get(code)
            if mine is None:
                mine = owned[code] = _is_interlocks(code.co_filename)
            if mine:
                return False
            f = f.f_back
        return False  # not a controlled thread's code at all (the hub's, a parked worker's)

    def _interrupted(self, frame, os_state: str | None) -> None:
        """In the engine's thread (the watchdog's signal handler): stop the run where the
        stuck thread is, and abandon that thread's greenlet."""
        th = self.current()
        if th is None or not self._running:
            return  # the hub, or a moment between runs: nothing of a run is stuck
        blocked = os_state is not None and os_state not in ("R",)
        if self._slice is not None and not blocked and not self.aborting:
            if self._stop_reason is None and not self._preemptible(frame):
                # Inside interlock's own code for all of spin_limit: put off a few times
                # (the slices keep trying); only after that is it taken for a spin.
                self._deferred = self._deferred + 1 if self._deferred_at == self.steps else 1
                self._deferred_at = self.steps
                if self._deferred <= _DEFER_LIMIT:
                    return
            elif self._stop_reason is None and self._preempt(th):
                return  # it was preempted, and has now been given the CPU again
        if not self.aborting and self._stop_reason is None:
            self._spin_state = _report.stuck_state(th, frame, self, blocked=blocked)
            self._spin_tid = th.tid
            where = self._spin_state.where or "?"
            if blocked:
                call = self._spin_state.waiting_on or "a call"
                detail = (
                    f"{th.name} is blocked in {call} at {where}, which the controlled "
                    "scheduler does not model: while it waits there no other thread can run"
                )
                self._set_stop(Stop.UNSUPPORTED, detail)
            else:
                detail = (
                    f"{th.name} ran for more than {self._spin_limit:g}s of real time without "
                    f"reaching a scheduling point at {where} (a busy loop)"
                )
                self._set_stop(Stop.SPIN, detail)
            self.aborting = True
        self._abandon(th)

    def _preempt(self, th) -> bool:
        """``th`` used up its time slice: let the longest-waiting other runnable thread
        run. When nothing but time slices has happened since the last one (every thread
        that can run is spinning, or none but ``th`` can), time passes first, as it does
        for a spinning CPU: to the next timer, or by SPIN_QUANTUM when none is pending
        (a busy-wait on the clock ends). False once that has gone on for SPIN_ALONE
        virtual seconds with no timer: the spin cannot end. Returns once ``th`` is
        scheduled again."""
        spinning = self._preempted_at == self.steps  # no other step since the last slice
        if not spinning:
            self._spun_alone = 0.0
        self.steps += 1  # a step: the watchdog sees progress, the step budget counts it
        self._preempted_at = self._slice_steps = self.steps  # the next slice starts now
        self._slice_since = _thread_time()
        if self.steps > self._step_limit:
            self._over_step_limit()
        others = [tid for tid in self._runnable if tid != th.tid]
        if spinning or not others:
            if self._live_timers:
                self._advance()  # it spins until something changes: the next timer will
            else:
                self._spun_alone += SPIN_QUANTUM
                if self._spun_alone > SPIN_ALONE:
                    return False
                self._pass_time(SPIN_QUANTUM)  # it may be waiting for the clock itself
            others = [tid for tid in self._runnable if tid != th.tid]
            if not others:
                return True  # nothing woke: it spins on, a little later in virtual time
        threads = self._threads
        pick = min(others, key=lambda tid: (threads[tid].last_ran, tid))
        threads[pick].last_ran = self._decision_no
        threads[pick].glet.switch()
        return True

    def _pass_time(self, seconds: float) -> None:
        """Virtual time moves on by ``seconds`` (no timer is pending)."""
        target = self.now + seconds
        if target > self._limit:
            self._stop(Stop.TIMEOUT, f"virtual time would pass {self._limit:g}s")
        self.now = target
        self._step_limit = self.steps + self._max_steps

    def _abandon(self, th) -> None:
        """Leave ``th``'s greenlet where it is, for good, and go back to the hub."""
        self._abandoned.add(th.tid)
        self._killing_since = None
        self._hub.switch()
        # Never resumed: _kill_all skips abandoned threads. If it ever were, end anyway.
        msg = "run stopped"
        raise Aborted(msg)


class Watchdog:
    """The watchdog thread of one session (see the module's docstring)."""

    TICK = 0.05  # real seconds between checks; the per-run limit is the engine's spin_limit

    def __init__(self, engine, real_get_ident, real_sleep, real_start) -> None:
        self.engine = engine
        self._real_get_ident = real_get_ident
        self._real_sleep = real_sleep
        self._real_start = real_start
        self._stopped = False
        self._old_handler = None
        self._on_main = False
        self._target = 0
        self._native = None
        self._running = False  # the watch loop is alive
        self._state: str | None = None  # the OS thread's state when the signal was sent
        self._sent_at_steps = -1  # the engine's step count when the signal was sent

    @property
    def signals(self) -> bool:
        """Whether it interrupts with a signal (the session is on the main OS thread)."""
        return self._on_main

    def start(self) -> None:
        self._target = self._real_get_ident()
        self._native = threading.get_native_id() if hasattr(threading, "get_native_id") else None
        self._on_main = SIGNAL is not None and threading.current_thread() is threading.main_thread()
        if self._on_main:
            self._old_handler = signal.signal(SIGNAL, self._on_signal)
        self._wake = _real_allocate_lock()
        self._wake.acquire()  # released by stop(): the loop's tick ends at once
        if _start_joinable is not None:
            self._handle = _start_joinable(self._watch)
        else:
            self._started = _real_allocate_lock()
            self._started.acquire()
            self._real_start(self._watch, ())
            self._started.acquire()  # the loop has taken its sentinel: stop() can wait on it

    def _on_signal(self, signum, frame) -> None:
        if self.engine.steps != self._sent_at_steps:
            return  # the step it was sent for has ended since: nothing is stuck
        self.engine._interrupted(frame, self._state)

    _handle = None
    _sentinel = None

    def _watch(self) -> None:
        self._running = True
        if _start_joinable is None:
            self._sentinel = _set_sentinel()
            self._sentinel.acquire()  # released by CPython as the OS thread's state goes
            self._started.release()
        engine = self.engine
        try:
            while not self._stopped:
                if self._wake.acquire(timeout=self.TICK):
                    break  # stopped
                if self._stopped or not engine._tick():
                    continue
                self._state = _os_state(self._native)
                self._sent_at_steps = engine.steps
                if self._on_main:
                    signal.pthread_kill(self._target, SIGNAL)
                else:
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(self._target), ctypes.py_object(SpinDetected)
                    )
                # One interruption per spin_limit: give the engine time to act on it.
                engine._progress_at = _real_perf_counter()
                if engine._killing_since is not None:
                    engine._killing_since = _real_perf_counter()
        finally:
            self._running = False

    def start_slices(self, seconds: float) -> None:
        """A run with time slices begins: tick every ``seconds`` of CPU time (SIGVTALRM:
        it counts only time a thread runs, so a blocked call is never cut short)."""
        if self._old_slice_handler is None:
            self._old_slice_handler = signal.signal(signal.SIGVTALRM, self.engine._slice_tick)
        signal.setitimer(signal.ITIMER_VIRTUAL, seconds, seconds)

    def stop_slices(self) -> None:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0, 0)

    _old_slice_handler = None

    def stop(self) -> None:
        self._stopped = True
        if getattr(self, "_wake", None) is not None and self._wake.locked():
            self._wake.release()
        if self._old_slice_handler is not None:
            self.stop_slices()
            signal.signal(signal.SIGVTALRM, self._old_slice_handler)
            self._old_slice_handler = None
        # No signal may arrive once the old handler is back (SIGUSR2's default ends the
        # process): wait for the watch loop to end first (at most one tick).
        # And for its OS thread to be gone: a session leaves no thread behind.
        if self._handle is not None:
            self._handle.join()
        elif self._sentinel is not None:
            self._sentinel.acquire()
            self._sentinel = None
        if self._old_handler is not None:
            signal.signal(SIGNAL, self._old_handler)
            self._old_handler = None
