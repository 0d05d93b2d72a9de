"""Real-time progress checks: a run whose current step takes too long is stopped.

A thread that runs without reaching a scheduling point (a busy loop, or a call
into something the scheduler does not model) would hold the only running
greenlet forever. The watchdog ticks every ``TICK`` real seconds for a whole
session; at each tick the engine (``SpinWatch._tick``, a mixin of ``Engine``)
compares its step count with the last tick's, and a run that made no step for
``spin_limit`` real seconds is stopped as a spin.
"""

from __future__ import annotations

import ctypes
import signal
import threading
import time

from ...models import Stop, ThreadState
from .._harness import Aborted
from . import _report

__all__ = ["SpinDetected", "SpinWatch", "Watchdog"]

_real_perf_counter = time.perf_counter  # taken before any patch


class SpinDetected(Aborted):
    """Thrown into a thread that ran too long (real time) without a scheduling point."""


class SpinWatch:
    """The engine's side of the watchdog."""

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
        self._stop_reason = Stop.SPIN
        self._stop_detail = (
            f"{th.name} ran for more than {self._spin_limit:g}s of real time without reaching a "
            f"scheduling point at {self._spin_state.where or '?'} (a busy loop, or a call that "
            "blocks in something the scheduler does not model: a socket, input(), a C lock)"
        )
        self.aborting = True
        raise SpinDetected(self._stop_detail)


class Watchdog:
    """Ticks for a session: a SIGALRM interval timer when the session is on the main OS
    thread, else a helper OS thread that raises in the engine's thread with
    ``PyThreadState_SetAsyncExc`` (which cannot interrupt a blocking C call, but does
    stop a pure-Python spin loop)."""

    TICK = 0.1  # real seconds between checks; the per-run limit is the engine's spin_limit

    def __init__(self, engine, real_get_ident, real_sleep, real_start) -> None:
        self.engine = engine
        self._real_get_ident = real_get_ident
        self._real_sleep = real_sleep
        self._real_start = real_start
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
        target = self._real_get_ident()
        real_sleep = self._real_sleep
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

        self._real_start(watch, ())

    def stop(self) -> None:
        self._stopped = True
        if self._old_handler is not None:
            signal.setitimer(signal.ITIMER_REAL, 0, 0)
            signal.signal(signal.SIGALRM, self._old_handler)
            delay, interval = self._old_timer
            if delay:
                used = _real_perf_counter() - self._t0
                signal.setitimer(signal.ITIMER_REAL, max(delay - used, 0.001), interval)
