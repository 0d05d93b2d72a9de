"""The few primitives CPython implements in C, modelled on the controlled scheduler.

Everything else (``Condition``, ``Event``, ``Semaphore``, ``Barrier``, ``Queue``,
the executors) is the stdlib's own pure-Python code running on top of these.

Each primitive asks the engine that is currently installed (``ENGINE``) which
controlled thread is calling. A caller that is not a controlled greenlet (the
engine itself, or another real OS thread such as pytest-timeout's) gets plain,
non-scheduling behaviour, so the rest of the process keeps working while the
patches are in place.

Who gets a lock after a release is not decided here: every waiter is woken and
retries, and the strategy picks who runs first. That is the "barging" lock
CPython really has, and it lets the strategy explore every order.

Every wait describes itself (``Wait``): what a thread blocked on it waits for,
and which thread, if one, can end the wait. Reports and the deadlock diagnosis
ask the wait; they never test its type.
"""

from __future__ import annotations

import _thread
import queue as _queue_module
import threading as _threading_module
from collections import deque

from greenlet import getcurrent

__all__ = [
    "READERS",
    "SLEEP",
    "Lock",
    "PipeQueue",
    "PipeReader",
    "in_world",
    "SilentRLock",
    "SimpleQueue",
    "StartEvent",
    "ThreadHandle",
    "TstateLock",
    "Wait",
    "install",
    "wait_readers",
]

ENGINE = None  # the engine whose run is in progress; set by ``install``
_lookup = {}.get  # ENGINE's greenlet -> thread map's .get (hot: one call per primitive)
_in_world = bool  # ENGINE.in_world; constructors ask _lookup first (a controlled thread)
_Empty = _queue_module.Empty
_TIMEOUT_MAX = _threading_module.TIMEOUT_MAX
_REAL_ALLOCATE_LOCK = _thread.allocate_lock
_REAL_THREAD_HANDLE = getattr(_thread, "_ThreadHandle", None)
_REAL_SIMPLE_QUEUE = _queue_module.SimpleQueue


def install(engine) -> None:
    """Make ``engine`` the one the primitives consult (None uninstalls)."""
    global ENGINE, _lookup, _in_world
    ENGINE = engine
    _lookup = engine.thread_of if engine is not None else {}.get
    _in_world = engine.in_world if engine is not None else bool


def in_world() -> bool:
    """True when the caller is a controlled thread, or the engine during a run.

    Only then do constructors make modelled objects; any other caller (another
    real OS thread, or code between runs) gets the real C object.
    """
    return _in_world()


class Wait:
    """What a blocked thread waits on, able to say so.

    ``precise``: the wait is the whole story (a sleep, a join); a building block
    such as ``Lock`` is not, since the library operation above it (``Queue.get``
    waiting on a Condition's waiter lock) describes the wait better.
    ``operation`` is how a reader names it used directly; ``is_timer``: the wait
    ends by its deadline alone (a sleep), so its deadline is no "timeout".
    """

    __slots__ = ()
    precise = True
    is_timer = False
    operation: str | None = None

    def describe_wait(self, th) -> str:
        """What ``th``, blocked here, waits for, in words ("" when nothing useful)."""
        return ""

    def waits_for(self, th):
        """The one thread that can end ``th``'s wait (a holder, a joined thread), or None."""
        return None


class _Sleep(Wait):
    __slots__ = ()
    is_timer = True
    operation = "time.sleep"

    def describe_wait(self, th) -> str:
        return f"until t={th.deadline:.3f}s"


class _Readers(Wait):
    __slots__ = ()

    def describe_wait(self, th) -> str:
        return "no reader has data"


SLEEP = _Sleep()  # time.sleep(secs > 0)
READERS = _Readers()  # multiprocessing.connection.wait on modelled pipes


def _lock_deadline(engine, blocking: bool, timeout: float) -> float | None:
    """Validate ``acquire(blocking, timeout)`` as ``_thread.lock`` does; return a deadline."""
    if timeout == -1:
        return None
    if not blocking:
        msg = "can't specify a timeout for a non-blocking call"
        raise ValueError(msg)
    if timeout < 0:
        msg = "timeout value must be a non-negative number"
        raise ValueError(msg)
    if timeout > _TIMEOUT_MAX:
        msg = "timeout value is too large"
        raise OverflowError(msg)
    return engine.now + timeout


class _Uncontrolled(RuntimeError):
    pass


def _cannot_wait(what: str) -> _Uncontrolled:
    msg = (
        f"{what} would block a thread the controlled scheduler does not run "
        "(a modelled object was used outside its run)"
    )
    return _Uncontrolled(msg)


_NO_WAITERS: tuple = ()  # a lock's waiters before any thread has waited on it


class Lock(Wait):
    """``_thread.lock``: acquire is a scheduling point (blocking or not), release is one too."""

    __slots__ = ("__weakref__", "_holder", "_locked", "_waiters")
    precise = False
    operation = "Lock.acquire"

    def __new__(cls):
        if cls is Lock and _lookup(getcurrent()) is None and not _in_world():
            return _REAL_ALLOCATE_LOCK()
        return object.__new__(cls)

    @classmethod
    def modelled(cls) -> Lock:
        """A modelled lock whoever asks (for module-level locks swapped in by the patches)."""
        lock = object.__new__(cls)
        lock.__init__()
        return lock

    def __init__(self) -> None:
        self._locked = False
        self._holder = None  # the thread record that acquired it, for reports
        # A list only once a thread waits: most locks never see one (every Future's
        # Condition has a lock), and an empty list is 56 bytes.
        self._waiters: list | tuple = _NO_WAITERS

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        th = _lookup(getcurrent())
        if th is None:
            if not self._locked:
                self._locked = True
                self._holder = None
                return True
            if not blocking or timeout == 0:
                return False
            if ENGINE is None:
                # No run is in progress: this lock is a leftover of one that ended (a
                # __del__ at collection takes it). Nobody can release it any more, and
                # nobody can contend for it: taking it changes nothing.
                self._holder = None
                return True
            raise _cannot_wait("Lock.acquire")
        engine = ENGINE
        deadline = None if timeout == -1 else _lock_deadline(engine, blocking, timeout)
        if not blocking and self._holder is th:
            # A try-lock of a lock this thread holds fails whatever the others do:
            # no other thread can change its outcome, so it is not a point.
            return False
        engine.point(th)
        while True:
            if not self._locked:
                self._locked = True
                self._holder = th
                return True
            if not blocking:
                return False
            waiters = self._waiters
            if waiters is _NO_WAITERS:
                waiters = self._waiters = []
            if not engine.block(th, waiters, deadline, self) and self._locked:
                return False

    def release(self) -> None:
        if not self._locked:
            msg = "release unlocked lock"
            raise RuntimeError(msg)
        self._locked = False
        self._holder = None
        if self._waiters:
            ENGINE.wake_all(self._waiters)
        th = _lookup(getcurrent())
        if th is not None:
            ENGINE.point(th)

    def locked(self) -> bool:
        return self._locked

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()

    # The three hooks ``threading.Condition`` looks for on its lock. Without them its
    # __init__ pays three caught AttributeErrors (~2 us, a dozen Conditions a run: one
    # per Thread's Event, three per Queue) and its own ``_is_owned`` does a try-acquire
    # at every wait/notify. These do exactly what Condition's fallbacks do.
    def _is_owned(self) -> bool:
        # Condition's fallback answers "locked by anyone" for a plain lock; so does this.
        return self._locked

    def _release_save(self) -> None:
        self.release()

    def _acquire_restore(self, state) -> None:
        self.acquire()

    def _at_fork_reinit(self) -> None:
        self._locked = False
        self._holder = None
        self._waiters = _NO_WAITERS

    acquire_lock = acquire
    release_lock = release
    locked_lock = locked

    def __repr__(self) -> str:
        state = "locked" if self._locked else "unlocked"
        return (
            f"<{state} {type(self).__module__}.{type(self).__qualname__} object at {id(self):#x}>"
        )

    def describe_wait(self, th) -> str:
        holder = self._holder
        if holder is th:
            return "held by this thread itself"
        if holder is None:
            return "held (taken outside any controlled thread)"
        return f"held by {holder.name}" + (", which has ended" if holder.done else "")

    def waits_for(self, th):
        # A thread blocked on a lock it holds itself is Condition.wait's waiter lock:
        # it waits for a notify, not for a thread.
        holder = self._holder
        return holder if holder is not None and holder is not th else None


class _Join(Wait):
    """A wait for a thread to end (``owner``): ``Thread.join`` on either version."""

    __slots__ = ()

    def describe_wait(self, th) -> str:
        owner = self.owner
        return f"waits for {owner.name if owner is not None else '?'} to end"

    def waits_for(self, th):
        return self.owner


class TstateLock(_Join):
    """What ``_thread._set_sentinel()`` returns on 3.10-3.12: held by its thread while it lives.

    The engine releases it when the thread's body ends, as CPython does in C.
    Joining (a blocking acquire) is not an extra scheduling point: it either
    returns at once (thread done) or blocks, exactly like 3.13's
    ``_ThreadHandle.join``, so both versions make the same decisions. A
    non-blocking acquire (``is_alive``) is never a point.
    """

    __slots__ = ("__weakref__", "_locked", "_waiters", "owner")

    def __init__(self, owner) -> None:
        self.owner = owner
        self._locked = False
        self._waiters: list = []

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        engine = ENGINE
        th = _lookup(getcurrent())
        if not self._locked:
            self._locked = True
            return True
        if not blocking:
            return False
        if th is None:
            if timeout == 0:
                return False
            raise _cannot_wait("Thread.join")
        deadline = _lock_deadline(engine, blocking, timeout)
        while self._locked:
            if not engine.block(th, self._waiters, deadline, self) and self._locked:
                return False
        self._locked = True
        return True

    def release(self) -> None:
        if not self._locked:
            msg = "release unlocked lock"
            raise RuntimeError(msg)
        self._locked = False
        if self._waiters:
            ENGINE.wake_all(self._waiters)

    def locked(self) -> bool:
        return self._locked

    __enter__ = acquire

    def __exit__(self, *exc_info) -> None:
        self.release()

    def _at_fork_reinit(self) -> None:
        self._locked = False
        self._waiters = []


class ThreadHandle(_Join):
    """``_thread._ThreadHandle`` (3.13): ``join`` blocks until the thread is done."""

    __slots__ = ("__weakref__", "_done", "_waiters", "ident", "owner")

    def __new__(cls):
        if _lookup(getcurrent()) is None and not _in_world() and _REAL_THREAD_HANDLE is not None:
            return _REAL_THREAD_HANDLE()
        return object.__new__(cls)

    def __init__(self) -> None:
        self.ident = None
        self.owner = None
        self._done = False
        self._waiters: list = []

    def is_done(self) -> bool:
        return self._done

    def _set_done(self) -> None:
        self._done = True
        if self._waiters:
            ENGINE.wake_all(self._waiters)

    def join(self, timeout: float | None = None) -> None:
        if self._done:
            return
        engine = ENGINE
        th = _lookup(getcurrent())
        if th is not None and th is self.owner:
            msg = "Cannot join current thread"
            raise RuntimeError(msg)
        if timeout is not None and timeout < 0:
            timeout = None
        if th is None:
            if timeout == 0:
                return
            raise _cannot_wait("Thread.join")
        deadline = None if timeout is None else engine.now + timeout
        while not self._done:
            if not engine.block(th, self._waiters, deadline, self):
                return

    def __repr__(self) -> str:
        state = "done" if self._done else "running"
        return f"<interlock ThreadHandle ident={self.ident} {state}>"


class StartEvent(Wait):
    """``Thread._started``: the private handshake between ``start()`` and the new thread.

    In the stdlib it is an ``Event`` (a Condition on a lock): about ten lock
    operations per thread start that no other thread can see. Modelled as one
    primitive, a start costs one scheduling point (in ``start``), then, if the
    parent waits for the child, one block until the child runs and one point
    when it has set the event (parent or child may go on first): the same orders
    of everything a subject can observe, at a fraction of the steps.
    """

    __slots__ = ("__weakref__", "_flag", "_waiters", "owner")

    def __init__(self, owner=None) -> None:
        self._flag = False
        self._waiters: list = []
        self.owner = owner

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set

    def set(self) -> None:
        self._flag = True
        if self._waiters:
            ENGINE.wake_all(self._waiters)
            # The new thread has started and its starter may now return from start():
            # either may go first, as in CPython (a bug where the starter must run
            # first, or must not, is a schedule like any other).
            th = _lookup(getcurrent())
            if th is not None:
                ENGINE.point(th)

    def clear(self) -> None:
        self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        if self._flag:
            return True
        th = _lookup(getcurrent())
        if th is None:
            raise _cannot_wait("Thread.start")
        engine = ENGINE
        deadline = None if timeout is None else engine.now + max(timeout, 0)
        while not self._flag:
            if not engine.block(th, self._waiters, deadline, self):
                return self._flag
        return True

    def _at_fork_reinit(self) -> None:
        self._flag = False
        self._waiters = []

    def describe_wait(self, th) -> str:
        return f"waits for {self.owner.name} to start"


class SilentRLock:
    """A re-entrant lock that is never a scheduling point.

    For internal bookkeeping locks that CPython does not have in C either
    (``_threading_local``'s per-local lock): one greenlet runs at a time and the
    sections they guard reach no scheduling point, so taking them changes nothing.
    """

    __slots__ = ()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return True

    def release(self) -> None:
        return None

    def __enter__(self) -> bool:
        return True

    def __exit__(self, *exc_info) -> None:
        return None


class SimpleQueue(Wait):
    """``queue.SimpleQueue`` (``_queue.SimpleQueue`` in C): put never blocks; get may.

    Both are scheduling points; ``empty``/``qsize`` are plain reads, as in C.
    """

    __slots__ = ("__weakref__", "_getters", "_items")

    def __new__(cls):
        if _lookup(getcurrent()) is None and not _in_world():
            return _REAL_SIMPLE_QUEUE()
        return object.__new__(cls)

    def __init__(self) -> None:
        self._items: deque = deque()
        self._getters: list = []

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        self._items.append(item)
        if self._getters:
            ENGINE.wake_all(self._getters)
        th = _lookup(getcurrent())
        if th is not None:
            ENGINE.point(th)

    def put_nowait(self, item) -> None:
        self.put(item, block=False)

    def get(self, block: bool = True, timeout: float | None = None):
        engine = ENGINE
        th = _lookup(getcurrent())
        deadline = None
        if block and timeout is not None:
            if timeout < 0:
                msg = "'timeout' must be a non-negative number"
                raise ValueError(msg)
        if th is None:
            if self._items:
                return self._items.popleft()
            if not block or timeout is not None:
                raise _Empty
            raise _cannot_wait("SimpleQueue.get")
        if block and timeout is not None:
            deadline = engine.now + timeout
        engine.point(th)
        while True:
            if self._items:
                return self._items.popleft()
            if not block:
                raise _Empty
            if not engine.block(th, self._getters, deadline, self) and not self._items:
                raise _Empty

    def get_nowait(self):
        return self.get(block=False)

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)

    __class_getitem__ = classmethod(lambda cls, item: cls)

    def describe_wait(self, th) -> str:
        return "queue empty"


class PipeReader:
    """``PipeQueue._reader``: what ``multiprocessing.connection.wait`` is handed."""

    __slots__ = ("__weakref__", "queue")

    def __init__(self, queue: PipeQueue) -> None:
        self.queue = queue

    def poll(self, timeout: float = 0.0) -> bool:
        return bool(self.queue._items)

    def close(self) -> None:
        return None


class PipeQueue(Wait):
    """``multiprocessing.SimpleQueue`` made inside a run (a pipe and two process locks in C).

    ``multiprocessing.pool.ThreadPool`` wakes its worker-handler thread through one
    of these (``_change_notifier``), waiting on its ``_reader`` with
    ``multiprocessing.connection.wait``: on the real pipe that is a ``select`` the
    scheduler cannot see, so the handler would block the whole OS thread. Here
    ``put`` never blocks, ``get`` blocks until an item arrives, and ``wait_readers``
    (patched over ``connection.wait``) blocks until one of the readers has data.
    Items are kept as objects: nothing crosses a process, so nothing is pickled.
    """

    __slots__ = ("__weakref__", "_getters", "_items", "_reader", "_run", "_watchers")

    def __init__(self) -> None:
        # Pool.__del__ puts on it when the pool is collected, which may happen during a
        # later run: such a put must not wake or schedule anything there.
        self._run = ENGINE.run_serial if ENGINE is not None else -1
        self._items: deque = deque()
        self._getters: list = []
        self._watchers: list = []  # wait lists of threads in wait_readers on this queue
        self._reader = PipeReader(self)

    def _wake(self) -> None:
        engine = ENGINE
        if engine is None or engine.run_serial != self._run:
            return  # a put after its run ended (Pool.__del__ at collection): nobody to wake
        if self._getters:
            engine.wake_all(self._getters)
        for waitlist in self._watchers:
            engine.wake_all(waitlist)

    def put(self, obj) -> None:
        self._items.append(obj)
        self._wake()
        th = _lookup(getcurrent())
        if th is not None and ENGINE.run_serial == self._run:
            ENGINE.point(th)

    def get(self):
        th = _lookup(getcurrent())
        if th is None:
            if self._items:
                return self._items.popleft()
            raise _cannot_wait("multiprocessing.SimpleQueue.get")
        engine = ENGINE
        engine.point(th)
        while not self._items:
            engine.block(th, self._getters, None, self)
        return self._items.popleft()

    def empty(self) -> bool:
        return not self._items

    def close(self) -> None:
        return None


def wait_readers(readers: list, timeout: float | None, th) -> list:
    """``multiprocessing.connection.wait`` on ``PipeReader`` objects, for a controlled thread."""
    engine = ENGINE
    deadline = None if timeout is None else engine.now + max(timeout, 0)
    engine.point(th)
    while True:
        ready = [r for r in readers if r.queue._items]
        if ready or (deadline is not None and engine.now >= deadline):
            return ready
        waitlist: list = []
        queues = [r.queue for r in readers]
        for q in queues:
            q._watchers.append(waitlist)
        try:
            engine.block(th, waitlist, deadline, READERS)
        finally:
            for q in queues:
                q._watchers.remove(waitlist)
