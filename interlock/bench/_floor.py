"""A bare greenlet scheduler: the bench's reference floor, not a runtime.

It runs a subject's own threading code on greenlets and a virtual clock, as the
controlled runtime does, and nothing else: each thread runs until it blocks
(a held lock, a sleep, a join), ready threads run first in, first out, and
there is no strategy, no decision kept, no timed wait, no deadlock report, no
recording beyond what the fake downloader does and no checking. It is the
least a greenlet scheduler can do to run such code at all. ``interlock bench`` times it next
to the real pipeline so the pipeline's cost is a ratio taken on the same
machine in the same minute, not a figure from another day.

Not for subjects: a timed wait or a deadlock raises ``FloorUnsupported``.
"""

from __future__ import annotations

import _thread
import heapq
import itertools
import threading
import time
from collections import deque
from contextlib import contextmanager

from greenlet import GreenletExit, getcurrent, greenlet

__all__ = ["FloorUnsupported", "run_on_floor"]

_IDENT_BASE = 1 << 60  # far from any real thread ident


class FloorUnsupported(RuntimeError):
    """The subject needs something the floor does not model."""


class _Hub:
    def __init__(self) -> None:
        self.now = 0.0
        self.ready: deque = deque()
        self.timers: list = []
        self.seq = itertools.count()
        self.ids: dict = {}
        self.glet = getcurrent()

    def park(self) -> None:
        """Block the caller until something puts it back on the ready queue."""
        self.glet.switch()

    def loop(self) -> None:
        ready = self.ready
        timers = self.timers
        while True:
            if ready:
                ready.popleft().switch()
            elif timers:
                when, _, glet = heapq.heappop(timers)
                self.now = max(self.now, when)
                ready.append(glet)
            else:
                return


class _Lock:
    __slots__ = ("_locked", "_waiters")

    def __init__(self) -> None:
        self._locked = False
        self._waiters: deque = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._locked:
            self._locked = True
            return True
        if not blocking:
            return False
        if timeout != -1:
            msg = "the floor scheduler has no timed waits"
            raise FloorUnsupported(msg)
        self._waiters.append(getcurrent())
        HUB.park()
        return True  # ownership was handed over by release()

    def release(self) -> None:
        if not self._locked:
            msg = "release unlocked lock"
            raise RuntimeError(msg)
        if self._waiters:
            HUB.ready.append(self._waiters.popleft())  # stays locked: now theirs
        else:
            self._locked = False

    def locked(self) -> bool:
        return self._locked

    __enter__ = acquire

    def __exit__(self, *exc_info) -> None:
        self.release()


class _Handle:
    """3.13's ``_ThreadHandle``, as far as ``threading.Thread`` uses it."""

    def __init__(self) -> None:
        self.ident = None
        self._done = _Lock()
        self._done._locked = True

    def is_done(self) -> bool:
        return not self._done._locked

    def _set_done(self) -> None:
        if self._done._locked:
            self._done.release()

    def join(self, timeout=None) -> None:
        if timeout is not None:
            msg = "the floor scheduler has no timed waits"
            raise FloorUnsupported(msg)
        if self._done._locked:
            self._done.acquire()
            self._done.release()


HUB: _Hub


def _spawn(body) -> int:
    ident = _IDENT_BASE + len(HUB.ids) + 1
    glet = greenlet(body, parent=HUB.glet)
    HUB.ids[glet] = ident
    HUB.ready.append(glet)
    return ident


def _get_ident() -> int:
    ident = HUB.ids.get(getcurrent())
    return ident if ident is not None else _thread.get_ident()


def _start_new_thread(function, args, kwargs=None):  # 3.10-3.12
    def body():
        try:
            function(*args, **(kwargs or {}))
        finally:
            thread = getattr(function, "__self__", None)
            sentinel = getattr(thread, "_tstate_lock", None)
            if sentinel is not None and sentinel.locked():
                sentinel.release()

    return _spawn(body)


def _start_joinable_thread(function, handle=None, daemon=True):  # 3.13
    handle = handle if handle is not None else _Handle()

    def body():
        try:
            function()
        finally:
            handle._set_done()

    handle.ident = _spawn(body)
    return handle


def _sleep(secs: float) -> None:
    if getcurrent() not in HUB.ids:
        msg = "sleep outside the floor's threads"
        raise FloorUnsupported(msg)
    heapq.heappush(HUB.timers, (HUB.now + secs, next(HUB.seq), getcurrent()))
    HUB.park()


def _monotonic() -> float:
    return HUB.now


@contextmanager
def _patched():
    names = {
        (threading, "_allocate_lock"): _Lock,
        (threading, "Lock"): _Lock,
        (threading, "_CRLock"): None,
        (threading, "get_ident"): _get_ident,
        (threading, "get_native_id"): _get_ident,
        (time, "sleep"): _sleep,
        (time, "monotonic"): _monotonic,
        (time, "perf_counter"): _monotonic,
    }
    if hasattr(threading, "_start_joinable_thread"):
        names[(threading, "_start_joinable_thread")] = _start_joinable_thread
        names[(threading, "_ThreadHandle")] = _Handle
    else:
        names[(threading, "_start_new_thread")] = _start_new_thread
        names[(threading, "_set_sentinel")] = _Lock
    real_hook = threading.excepthook

    def excepthook(args) -> None:  # a stuck thread ended by the floor is not an error
        if args.exc_type is not GreenletExit:
            real_hook(args)

    names[(threading, "excepthook")] = excepthook
    saved = {key: getattr(*key) for key in names}
    try:
        for (module, name), value in names.items():
            setattr(module, name, value)
        yield
    finally:
        for (module, name), value in saved.items():
            setattr(module, name, value)


def run_on_floor(fn, *args):
    """Run ``fn(*args)`` as the first of the floor's threads; return what it returned."""
    global HUB  # noqa: PLW0603 - one floor run at a time, read by the patched names
    HUB = _Hub()
    outcome: dict = {}
    # The first thread needs a Thread object, or current_thread() in it (Thread.__init__
    # asks it for the default daemon flag) would register a _DummyThread for good.
    stand_in = threading.Thread(name="MainThread", daemon=False)

    def main():
        ident = _get_ident()
        threading._active[ident] = stand_in
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, outside the greenlet
            outcome["error"] = exc
        finally:
            threading._active.pop(ident, None)

    with _patched():
        _spawn(main)
        HUB.loop()
        stuck = [g for g in HUB.ids if not g.dead]
        for glet in stuck:
            glet.throw(GreenletExit)
    shutdown_locks = getattr(threading, "_shutdown_locks", None)  # 3.10-3.12
    if shutdown_locks:
        shutdown_locks.difference_update([k for k in shutdown_locks if isinstance(k, _Lock)])
    if "error" in outcome:
        raise outcome["error"]
    if stuck:
        msg = f"{len(stuck)} thread(s) never ended (the floor reports no deadlocks)"
        raise FloorUnsupported(msg)
    return outcome.get("value")
