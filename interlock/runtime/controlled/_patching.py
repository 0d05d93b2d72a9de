"""Swap the stdlib's C-level threading names for the modelled ones, and put them back.

Only what CPython implements in C is replaced (thread start and identity, the
basic lock, ``SimpleQueue``, sleep and the clocks, thread-local storage); the
pure-Python classes built on them run unchanged. Names are swapped in place in
the modules that hold them, including copies taken at import time
(``threading._time``, ``queue.time``, ``threading._allocate_lock``...), so
subject code written before patching (``class FileGetter(threading.Thread)``)
runs as written.

RLock: ``threading._CRLock`` is set to None, so ``threading.RLock()`` builds the
stdlib's own ``_PyRLock`` on the modelled lock. That is CPython's documented
fallback, gives the same semantics as the C RLock (owner, count, the
``_release_save``/``_acquire_restore`` pair ``Condition`` uses) and leaves one
lock to model instead of two.

Module-level locks created at import:

- ``threading._active_limbo_lock`` and ``threading._shutdown_locks_lock`` stay
  real: every section they guard is a few dict/set operations with no
  scheduling point inside (the only calls are ``lock.locked()`` on tstate locks
  and our ``Thread.__hash__``), so no greenlet ever switches while holding one.
- ``concurrent.futures.thread._global_shutdown_lock`` IS held across
  scheduling points (``submit`` puts on a SimpleQueue and starts threads while
  holding it), so it is swapped for a fresh modelled lock on every run.

Determinism: thread-name counters are reset per run, and ``Thread.__hash__`` and
``concurrent.futures.Future.__hash__`` return a per-run creation serial, so sets of
threads and of futures iterate the same way in every run and on every Python
version (``concurrent.futures.wait`` also sorts futures by ``id()``: by the serial
instead).
"""

from __future__ import annotations

import _thread
import _threading_local
import concurrent.futures._base as _cf_base
import concurrent.futures.thread as _cf_thread
import itertools
import multiprocessing
import multiprocessing.connection as _mp_connection
import multiprocessing.context as _mp_context
import multiprocessing.pool as _mp_pool
import multiprocessing.process as _mp_process
import multiprocessing.util as _mp_util
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import weakref

from greenlet import getcurrent

from .._harness import Aborted
from . import _watchdog
from ._primitives import (
    SLEEP,
    Lock,
    PipeQueue,
    PipeReader,
    SilentRLock,
    SimpleQueue,
    StartEvent,
    ThreadHandle,
    TstateLock,
    wait_readers,
)

__all__ = ["EPOCH", "Patches"]

EPOCH = 1_700_000_000.0  # what time.time() says at virtual time 0
_PY313 = sys.version_info >= (3, 13)
_MISSING = object()

_REAL = {
    ("_thread", "get_ident"): _thread.get_ident,
    ("_thread", "start_new_thread"): _thread.start_new_thread,
    ("_thread", "allocate_lock"): _thread.allocate_lock,
    ("_thread", "_count"): _thread._count,
    ("time", "sleep"): time.sleep,
    ("time", "monotonic"): time.monotonic,
    ("time", "perf_counter"): time.perf_counter,
    ("time", "time"): time.time,
    ("time", "monotonic_ns"): time.monotonic_ns,
    ("time", "perf_counter_ns"): time.perf_counter_ns,
    ("time", "time_ns"): time.time_ns,
    ("threading", "excepthook"): threading.excepthook,
    ("sys", "unraisablehook"): sys.unraisablehook,
    ("threading", "main_thread"): threading.main_thread,
    ("threading", "enumerate"): threading.enumerate,
    ("threading", "active_count"): threading.active_count,
}
_REAL_THREAD_INIT = threading.Thread.__init__
_THREAD_INIT_CODE = _REAL_THREAD_INIT.__code__
_REAL_EVENT = threading.Event
_REAL_FUTURE_INIT = _cf_base.Future.__init__
_REAL_SET_SENTINEL = getattr(_thread, "_set_sentinel", None)
_REAL_START_JOINABLE = getattr(_thread, "start_joinable_thread", None)
_REAL_MAKE_HANDLE = getattr(_thread, "_make_thread_handle", None)
_REAL_GET_NATIVE_ID = getattr(_thread, "get_native_id", None)
_REAL_MAINTAIN = getattr(threading, "_maintain_shutdown_locks", None)  # 3.10-3.12
_HAS_SHUTDOWN_LOCKS = hasattr(threading, "_shutdown_locks")
_REAL_MP_SIMPLE_QUEUE = _mp_context.BaseContext.SimpleQueue
_REAL_MP_WAIT = _mp_connection.wait
_REAL_OS_EXIT = os._exit
_REAL_KILL = os.kill
_REAL_KILLPG = getattr(os, "killpg", None)
_REAL_ABORT = os.abort
_REAL_RAISE_SIGNAL = getattr(signal, "raise_signal", None)
_REAL_PTHREAD_KILL = getattr(signal, "pthread_kill", None)
# Signals whose default action is not to end the process: ignored, or stop/continue
# (a stop is not modelled: it would freeze the process, interlock with it).
_IGNORED_BY_DEFAULT = frozenset(
    getattr(signal, name)
    for name in ("SIGCHLD", "SIGURG", "SIGWINCH", "SIGCONT")
    if hasattr(signal, name)
)
_STOP_BY_DEFAULT = frozenset(
    getattr(signal, name)
    for name in ("SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU")
    if hasattr(signal, name)
)
_REAL_FORK = getattr(os, "fork", None)
_REAL_PROCESS_START = _mp_process.BaseProcess.start
_REAL_POOL_INIT = _mp_pool.Pool.__init__
_REAL_POPEN_INIT = subprocess.Popen.__init__
_REAL_SIGNAL = signal.signal
_REAL_GETSIGNAL = signal.getsignal
_REAL_SET_WAKEUP_FD = signal.set_wakeup_fd
_REAL_ALARM = getattr(signal, "alarm", None)
_REAL_SETITIMER = getattr(signal, "setitimer", None)
_REAL_GETITIMER = getattr(signal, "getitimer", None)
# Signals a run may not take over: the watchdog's, and Ctrl-C (which must end verify).
_GUARDED_SIGNALS = frozenset(
    s
    for s in (_watchdog.SIGNAL, signal.SIGINT, getattr(signal, "SIGVTALRM", None))
    if s is not None
)
_NOT_MAIN = "signal only works in main thread of the main interpreter"
_NO_PROCESSES = (
    "the controlled runtime does not model processes (a process runs code the scheduler "
    "cannot see, and forking its greenlets would copy the world mid-run): verify this "
    "subject with --runtime threads"
)


class Patches:
    """The set of swaps for one engine. ``install``/``uninstall`` bracket a session;
    ``begin_run``/``end_run`` bracket each run inside it."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._saved: list[tuple[object, str, object]] = []
        self._serial = itertools.count(1)
        self._future_serial = itertools.count(1)
        self._installed = False
        self._functions_made: dict | None = None
        self._watched: list = []
        self._finalizers: set | tuple = ()
        self._cf_lock = None  # the modelled concurrent.futures lock begin_run installed
        self._cf_queues = None  # and its _threads_queues
        self._children: list = []  # subprocess.Popen objects a run made
        self._handlers: dict = {}  # signal handlers the run's main thread set, for the run
        self._signals_before: dict = {}  # handlers a run replaced: put back at its end
        self._timers_before: dict = {}  # interval timers a run set: (delay, interval, when)

    @staticmethod
    def real(module: str, name: str):
        return _REAL[(module, name)]

    # -- the replacement functions ------------------------------------------------

    def _functions(self) -> dict[str, object]:
        engine = self.engine
        lookup = engine.thread_of  # bound once: the engine keeps its map for its whole life
        in_world = engine.in_world

        real_get_ident = _REAL[("_thread", "get_ident")]
        real_start = _REAL[("_thread", "start_new_thread")]
        real_sleep = _REAL[("time", "sleep")]
        real_monotonic = _REAL[("time", "monotonic")]
        real_perf = _REAL[("time", "perf_counter")]
        real_time = _REAL[("time", "time")]
        real_monotonic_ns = _REAL[("time", "monotonic_ns")]
        real_perf_ns = _REAL[("time", "perf_counter_ns")]
        real_time_ns = _REAL[("time", "time_ns")]
        real_excepthook = _REAL[("threading", "excepthook")]
        real_unraisablehook = _REAL[("sys", "unraisablehook")]
        real_main_thread = _REAL[("threading", "main_thread")]
        real_enumerate = _REAL[("threading", "enumerate")]
        real_active_count = _REAL[("threading", "active_count")]
        Thread = threading.Thread

        def current():
            try:
                return lookup(getcurrent())
            except RuntimeError:  # "greenlet is being finalized": a gc callback at teardown
                return None

        def get_ident() -> int:
            th = lookup(getcurrent())
            return th.tid if th is not None else real_get_ident()

        def get_native_id() -> int:
            th = lookup(getcurrent())
            return th.tid if th is not None else _REAL_GET_NATIVE_ID()

        # The three float clocks are read at every timed wait and every recorded event:
        # current() is inlined in them (one Python call less a read).
        def monotonic() -> float:
            try:
                th = lookup(getcurrent())
            except RuntimeError:  # see current()
                th = None
            return engine.now if th is not None else real_monotonic()

        def perf_counter() -> float:
            try:
                th = lookup(getcurrent())
            except RuntimeError:  # see current()
                th = None
            return engine.now if th is not None else real_perf()

        def time_() -> float:
            try:
                th = lookup(getcurrent())
            except RuntimeError:  # see current()
                th = None
            return EPOCH + engine.now if th is not None else real_time()

        def monotonic_ns() -> int:
            if current() is not None:
                return round(engine.now * 1e9)
            return real_monotonic_ns()

        def perf_counter_ns() -> int:
            if current() is not None:
                return round(engine.now * 1e9)
            return real_perf_ns()

        def time_ns() -> int:
            if current() is not None:
                return round((EPOCH + engine.now) * 1e9)
            return real_time_ns()

        def sleep(secs: float) -> None:
            th = lookup(getcurrent())
            if th is None:
                return real_sleep(secs)
            if secs < 0:
                msg = "sleep length must be non-negative"
                raise ValueError(msg)
            if secs == 0:
                engine.point(th)
                return None
            engine.block(th, None, engine.now + secs, SLEEP)
            return None

        def mp_simple_queue(context):
            # multiprocessing.SimpleQueue() / ctx.SimpleQueue(): a pipe the scheduler
            # cannot see; inside a run, the modelled one (ThreadPool's change notifier).
            if in_world():
                return PipeQueue()
            return _REAL_MP_SIMPLE_QUEUE(context)

        def mp_default_simple_queue():
            return mp_simple_queue(_mp_context._default_context)

        def mp_wait(object_list, timeout=None):
            th = lookup(getcurrent())
            readers = list(object_list)
            if th is None or not all(isinstance(r, PipeReader) for r in readers):
                return _REAL_MP_WAIT(object_list, timeout)
            return wait_readers(readers, timeout, th)

        # Both start functions take the thread object from the bound method they are
        # given (Thread._bootstrap), inline: a Python call less per thread started.
        def start_new_thread(function, args, kwargs=None):
            caller = lookup(getcurrent())
            if caller is None:
                return real_start(function, args, *([kwargs] if kwargs is not None else []))
            if engine.aborting:
                msg = "run stopped"
                raise Aborted(msg)
            obj = getattr(function, "__self__", None)
            th = engine.spawn(
                function, tuple(args), kwargs, obj=obj if isinstance(obj, Thread) else None
            )
            engine.point(caller)
            return th.tid

        def start_joinable_thread(function, handle=None, daemon=True):
            caller = lookup(getcurrent())
            if caller is None:
                return _REAL_START_JOINABLE(function, handle=handle, daemon=daemon)
            if engine.aborting:
                msg = "run stopped"
                raise Aborted(msg)
            if handle is None:
                handle = ThreadHandle()
            obj = getattr(function, "__self__", None)
            obj = obj if isinstance(obj, Thread) else None
            engine.spawn(function, (), None, obj=obj, handle=handle)
            engine.point(caller)
            return handle

        def set_sentinel():
            th = lookup(getcurrent())
            if th is None:
                return _REAL_SET_SENTINEL()
            lock = TstateLock(th)
            th.tstate = lock
            return lock

        def make_thread_handle(ident):
            if not in_world():
                return _REAL_MAKE_HANDLE(ident)
            handle = ThreadHandle()
            handle.ident = ident
            return handle

        def unraisablehook(unraisable) -> None:
            # A run being stopped unwinds its threads with Aborted; one that was inside a
            # __del__ (a finalizer taking a lock, run by gc.collect()) cannot let it out,
            # and Python prints "Exception ignored in ..." for each: interlock's own
            # exception, not the subject's, and thousands of them for one deadlock.
            if isinstance(unraisable.exc_value, Aborted):
                return None
            # Otherwise the hook that was there when the patches went in (pytest's, say).
            for owner, name, previous in patches._saved:
                if owner is sys and name == "unraisablehook":
                    return previous(unraisable)
            return real_unraisablehook(unraisable)

        def excepthook(args) -> None:
            th = lookup(getcurrent())
            if th is None:
                return real_excepthook(args)
            if args.exc_value is not None:
                engine.thread_died(th, args.exc_value)
            return None

        def our_threads() -> list:
            active = threading._active
            found = []
            for th in engine.threads():
                if th.obj is not None and active.get(th.tid) is th.obj:
                    found.append(th.obj)
            found.extend(t for t in threading._limbo if "_interlock_serial" in t.__dict__)
            return found

        def enumerate_():
            if lookup(getcurrent()) is None:
                return real_enumerate()
            return our_threads()

        real_count = _REAL[("_thread", "_count")]

        def thread_count() -> int:
            # _thread._count(): Python threads other than the main one. In a run, the
            # world's threads (the watchdog's OS thread is interlock's, not the run's).
            if lookup(getcurrent()) is None:
                return real_count()
            main = engine.main_thread()
            return sum(1 for th in engine.threads() if not th.done and th is not main)

        def active_count() -> int:
            if lookup(getcurrent()) is None:
                return real_active_count()
            return len(our_threads())

        def main_thread():
            main = engine.main_thread()
            if lookup(getcurrent()) is None or main is None:
                return real_main_thread()
            return main.obj

        serial = self

        def start_event_name(*args, **kwargs):
            # What the name threading.Event means while Thread.__init__ runs in a world
            # (see thread_init): the StartEvent for Thread.__init__'s own Event(), a real
            # Event for anyone else (code a Thread subclass's __hash__ runs, say).
            if sys._getframe(1).f_code is _THREAD_INIT_CODE and not args and not kwargs:
                return StartEvent()
            return _REAL_EVENT(*args, **kwargs)

        # The constructors and the pruning below ask "in a world?" first with the map
        # lookup (a controlled thread, the usual caller) and only then with in_world(),
        # one Python call more that adds the hub's case.
        def thread_init(self, *args, **kwargs) -> None:
            # Set before Thread.__init__ runs: it already hashes self (_dangling.add).
            self._interlock_serial = next(serial._serial)
            if lookup(getcurrent()) is None and not in_world():
                _REAL_THREAD_INIT(self, *args, **kwargs)
                return
            if threading.Event is not _REAL_EVENT:
                # Another Thread.__init__ is under way (its window below is open), or the
                # subject put its own Event there: Thread.__init__ as it stands.
                _REAL_THREAD_INIT(self, *args, **kwargs)
                self._started = StartEvent(self)
                return
            # Thread.__init__ makes self._started = Event(), a Condition on a Lock (about
            # a quarter of what making a Thread costs), only for it to be replaced by the
            # modelled StartEvent: for the length of the call, the name it looks up makes
            # the StartEvent directly. Nothing in Thread.__init__ is a scheduling point.
            threading.Event = start_event_name
            try:
                _REAL_THREAD_INIT(self, *args, **kwargs)
            finally:
                threading.Event = _REAL_EVENT
            started = self._started
            if started.__class__ is StartEvent and started.owner is None:
                started.owner = self
            else:
                self._started = StartEvent(self)

        def thread_hash(self) -> int:
            # Called three times per thread start (_dangling, _limbo, _active): keep it
            # to one attribute read; a Thread made before the patches has no serial.
            try:
                return self._interlock_serial
            except AttributeError:
                return object.__hash__(self)

        def future_init(self) -> None:
            # Futures are put in sets and sorted by id() (concurrent.futures.wait and
            # as_completed): by memory address, which differs from run to run. A serial
            # per run, as Thread has, makes both orders the same in every run.
            _REAL_FUTURE_INIT(self)
            if lookup(getcurrent()) is not None or in_world():
                self._interlock_serial = next(serial._future_serial)

        def acquire_futures_init(self, futures) -> None:
            # _AcquireFutures takes every future's lock in id() order (a fixed order, so
            # two waiters cannot deadlock): the serial order is as fixed, and repeatable.
            self.futures = sorted(futures, key=hash)

        def maintain_shutdown_locks() -> None:
            # 3.10-3.12 prune threading._shutdown_locks (a list comprehension over every
            # live thread's tstate lock) at each start and stop. Inside a run the set is a
            # fresh one per run (begin_run) that only threading._shutdown() would read,
            # at interpreter exit: pruning it buys nothing and costs O(threads) a start.
            if lookup(getcurrent()) is None and not in_world():
                _REAL_MAINTAIN()

        def os_exit(status) -> None:
            th = lookup(getcurrent())
            if th is None:
                _REAL_OS_EXIT(status)
            if engine.aborting:  # a finally block of a run being stopped: it is over anyway
                msg = "run stopped"
                raise Aborted(msg)
            from ._report import subject_where

            engine.process_exit(th, status, subject_where(sys._getframe(1)))

        def where_called() -> str:
            from ._report import subject_where

            return subject_where(sys._getframe(2)) or "?"

        def signal_name(signalnum) -> str:
            try:
                return signal.Signals(signalnum).name
            except ValueError:
                return f"signal {signalnum}"

        def to_own_process(th, signalnum, how: str, where: str) -> None:
            # A signal the run sends its own process (os.kill(os.getpid(), ...) and the
            # like): delivered for real it would kill interlock with the subject, and no
            # report would come. Modelled by what its disposition would do.
            if signalnum == 0:
                return  # only asks whether the process exists: it does
            if engine.aborting:
                msg = "run stopped"
                raise Aborted(msg)
            name = signal_name(signalnum)
            handler = patches._handlers.get(signalnum, _REAL_GETSIGNAL(signalnum))
            if signalnum == getattr(signal, "SIGKILL", None) or (
                handler == signal.SIG_DFL
                and signalnum not in _IGNORED_BY_DEFAULT
                and signalnum not in _STOP_BY_DEFAULT
            ):
                engine.process_exit(
                    th,
                    None,
                    where,
                    f"{how} in {th.name} at {where}: {name} would kill the process here",
                )
            if handler == signal.SIG_IGN or (
                handler == signal.SIG_DFL and signalnum in _IGNORED_BY_DEFAULT
            ):
                return
            if handler == signal.SIG_DFL:  # a stop: the process would freeze
                engine.unsupported(
                    th,
                    f"{th.name} sends {name} to its own process ({how}) at {where}: a stop "
                    "of the process is not modelled",
                )
            # A handler of Python's own (SIGINT's default_int_handler: a Ctrl-C) or of
            # the subject's: delivered for real, as before, in the main OS thread.
            _REAL_KILL(os.getpid(), signalnum)

        def own_pid(pid) -> bool:
            return pid == os.getpid() or pid == 0 or pid == -os.getpgrp()

        def kill(pid, signalnum):
            th = lookup(getcurrent())
            if th is None or not own_pid(pid):
                return _REAL_KILL(pid, signalnum)
            shown = "os.getpid()" if pid == os.getpid() else pid  # the same text in every run
            return to_own_process(
                th, signalnum, f"os.kill({shown}, {signal_name(signalnum)})", where_called()
            )

        def killpg(pgid, signalnum):
            th = lookup(getcurrent())
            if th is None or pgid not in (0, os.getpgrp()):
                return _REAL_KILLPG(pgid, signalnum)
            return to_own_process(
                th, signalnum, f"os.killpg({pgid}, {signal_name(signalnum)})", where_called()
            )

        def raise_signal(signalnum):
            th = lookup(getcurrent())
            if th is None:
                return _REAL_RAISE_SIGNAL(signalnum)
            return to_own_process(
                th, signalnum, f"signal.raise_signal({signal_name(signalnum)})", where_called()
            )

        def pthread_kill(thread_id, signalnum):
            th = lookup(getcurrent())
            target = engine.thread(thread_id) if th is not None else None
            if target is None:
                return _REAL_PTHREAD_KILL(thread_id, signalnum)
            return to_own_process(
                th,
                signalnum,
                f"signal.pthread_kill({target.name}, {signal_name(signalnum)})",
                where_called(),
            )

        def abort():
            th = lookup(getcurrent())
            if th is None:
                _REAL_ABORT()
            if engine.aborting:
                msg = "run stopped"
                raise Aborted(msg)
            engine.process_exit(
                th,
                None,
                where_called(),
                f"os.abort() in {th.name} at {where_called()}: SIGABRT would kill the process here",
            )

        def fork():
            th = lookup(getcurrent())
            if th is None:
                return _REAL_FORK()
            engine.unsupported(
                th, f"{th.name} calls os.fork() at {where_called()}: {_NO_PROCESSES}"
            )
            return None  # pragma: no cover - unsupported() does not return

        def process_start(process) -> None:
            th = lookup(getcurrent())
            if th is None:
                return _REAL_PROCESS_START(process)
            kind = type(process).__name__
            engine.unsupported(
                th,
                f"{th.name} starts a process ({kind}.start) at {where_called()}: {_NO_PROCESSES}",
            )
            return None  # pragma: no cover - unsupported() does not return

        def process_pool_init(pool, *args, **kwargs) -> None:
            th = lookup(getcurrent())
            if th is None or isinstance(pool, _mp_pool.ThreadPool):
                return _REAL_POOL_INIT(pool, *args, **kwargs)
            pool._state = _mp_pool.CLOSE  # never started: its __del__ has nothing to do
            engine.unsupported(
                th,
                f"{th.name} makes a process pool (multiprocessing.Pool) at {where_called()}: {_NO_PROCESSES}",
            )
            return None  # pragma: no cover - unsupported() does not return

        patches = self

        def popen_init(popen, *args, **kwargs) -> None:
            _REAL_POPEN_INIT(popen, *args, **kwargs)
            if lookup(getcurrent()) is not None:
                patches._children.append(popen)  # ended at the run's end, whatever happens

        def signal_(signalnum, handler):
            th = lookup(getcurrent())
            if th is None:
                return _REAL_SIGNAL(signalnum, handler)
            main = engine.main_thread()
            if th is not main:
                raise ValueError(_NOT_MAIN)  # as CPython says outside the main thread
            if signalnum in _GUARDED_SIGNALS:
                # The run's main thread may set it, for the run: interlock keeps its own.
                previous = patches._handlers.get(signalnum, _REAL_GETSIGNAL(signalnum))
                patches._handlers[signalnum] = handler
                return previous
            previous = _REAL_SIGNAL(signalnum, handler)
            patches._signals_before.setdefault(signalnum, previous)  # put back after the run
            return previous

        def remember_timer(which) -> None:
            if which not in patches._timers_before and _REAL_GETITIMER is not None:
                patches._timers_before[which] = (
                    *_REAL_GETITIMER(which),
                    _REAL[("time", "monotonic")](),
                )

        def alarm(seconds):
            if lookup(getcurrent()) is not None:
                remember_timer(signal.ITIMER_REAL)
            return _REAL_ALARM(seconds)

        def setitimer(which, seconds, interval=0.0):
            if lookup(getcurrent()) is not None:
                remember_timer(which)
            return _REAL_SETITIMER(which, seconds, interval)

        def getsignal(signalnum):
            if lookup(getcurrent()) is not None and signalnum in patches._handlers:
                return patches._handlers[signalnum]
            return _REAL_GETSIGNAL(signalnum)

        def set_wakeup_fd(fd, **kwargs):
            th = lookup(getcurrent())
            if th is not None and th is not engine.main_thread():
                raise ValueError("set_wakeup_fd only works in main thread of the main interpreter")
            return _REAL_SET_WAKEUP_FD(fd, **kwargs)

        return {
            "fork": fork,
            "process_start": process_start,
            "process_pool_init": process_pool_init,
            "popen_init": popen_init,
            "signal": signal_,
            "getsignal": getsignal,
            "set_wakeup_fd": set_wakeup_fd,
            "alarm": alarm,
            "setitimer": setitimer,
            "os_exit": os_exit,
            "kill": kill,
            "killpg": killpg,
            "raise_signal": raise_signal,
            "pthread_kill": pthread_kill,
            "abort": abort,
            "get_ident": get_ident,
            "get_native_id": get_native_id,
            "monotonic": monotonic,
            "perf_counter": perf_counter,
            "time": time_,
            "monotonic_ns": monotonic_ns,
            "perf_counter_ns": perf_counter_ns,
            "time_ns": time_ns,
            "sleep": sleep,
            "mp_simple_queue": mp_simple_queue,
            "mp_wait": mp_wait,
            "mp_default_simple_queue": mp_default_simple_queue,
            "start_new_thread": start_new_thread,
            "start_joinable_thread": start_joinable_thread,
            "set_sentinel": set_sentinel,
            "make_thread_handle": make_thread_handle,
            "excepthook": excepthook,
            "unraisablehook": unraisablehook,
            "enumerate": enumerate_,
            "active_count": active_count,
            "thread_count": thread_count,
            "main_thread": main_thread,
            "thread_init": thread_init,
            "thread_hash": thread_hash,
            "future_init": future_init,
            "acquire_futures_init": acquire_futures_init,
            "maintain_shutdown_locks": maintain_shutdown_locks,
        }

    def clock_replacements(self) -> dict:
        """id of each real clock function (and ``time.sleep``) -> what replaces it in a
        run: for copies a subject took at import (``from time import monotonic``)."""
        f = self._functions_made or self._functions()
        return {
            id(_REAL[("time", name)]): f[key]
            for name, key in (
                ("sleep", "sleep"),
                ("monotonic", "monotonic"),
                ("perf_counter", "perf_counter"),
                ("time", "time"),
                ("monotonic_ns", "monotonic_ns"),
                ("perf_counter_ns", "perf_counter_ns"),
                ("time_ns", "time_ns"),
            )
        }

    def _swaps(self) -> list[tuple[object, str, object]]:
        f = self._functions_made = self._functions()
        swaps: list[tuple[object, str, object]] = [
            (_thread, "allocate_lock", Lock),
            (_thread, "get_ident", f["get_ident"]),
            (_thread, "start_new_thread", f["start_new_thread"]),
            (_thread, "_count", f["thread_count"]),
            (threading, "_allocate_lock", Lock),
            (threading, "Lock", Lock),
            (threading, "_CRLock", None),
            (threading, "get_ident", f["get_ident"]),
            (threading, "_time", f["monotonic"]),
            (threading, "local", _threading_local.local),
            (threading, "excepthook", f["excepthook"]),
            (sys, "unraisablehook", f["unraisablehook"]),
            (threading, "enumerate", f["enumerate"]),
            (threading, "active_count", f["active_count"]),
            (threading, "main_thread", f["main_thread"]),
            (threading.Thread, "__init__", f["thread_init"]),
            (threading.Thread, "__hash__", f["thread_hash"]),
            (_cf_base.Future, "__init__", f["future_init"]),
            (_cf_base.Future, "__hash__", f["thread_hash"]),
            (_cf_base._AcquireFutures, "__init__", f["acquire_futures_init"]),
            (_threading_local, "RLock", SilentRLock),
            (queue, "SimpleQueue", SimpleQueue),
            (_mp_context.BaseContext, "SimpleQueue", f["mp_simple_queue"]),
            # multiprocessing/__init__ copied the default context's bound methods.
            (multiprocessing, "SimpleQueue", f["mp_default_simple_queue"]),
            (_mp_connection, "wait", f["mp_wait"]),
            (_mp_pool, "wait", f["mp_wait"]),
            (queue, "time", f["monotonic"]),
            (time, "sleep", f["sleep"]),
            (time, "monotonic", f["monotonic"]),
            (time, "perf_counter", f["perf_counter"]),
            (time, "time", f["time"]),
            (time, "monotonic_ns", f["monotonic_ns"]),
            (time, "perf_counter_ns", f["perf_counter_ns"]),
            (time, "time_ns", f["time_ns"]),
            (os, "_exit", f["os_exit"]),
            (os, "kill", f["kill"]),
            (os, "abort", f["abort"]),
            (_mp_process.BaseProcess, "start", f["process_start"]),
            (_mp_pool.Pool, "__init__", f["process_pool_init"]),
            (subprocess.Popen, "__init__", f["popen_init"]),
            (signal, "signal", f["signal"]),
            (signal, "getsignal", f["getsignal"]),
            (signal, "set_wakeup_fd", f["set_wakeup_fd"]),
        ]
        if _REAL_ALARM is not None:
            swaps.append((signal, "alarm", f["alarm"]))
        if _REAL_SETITIMER is not None:
            swaps.append((signal, "setitimer", f["setitimer"]))
        if _REAL_FORK is not None:
            swaps.append((os, "fork", f["fork"]))
        if _REAL_KILLPG is not None:
            swaps.append((os, "killpg", f["killpg"]))
        if _REAL_RAISE_SIGNAL is not None:
            swaps.append((signal, "raise_signal", f["raise_signal"]))
        if _REAL_PTHREAD_KILL is not None:
            swaps.append((signal, "pthread_kill", f["pthread_kill"]))
        if _REAL_GET_NATIVE_ID is not None:
            swaps.append((threading, "get_native_id", f["get_native_id"]))
            swaps.append((_thread, "get_native_id", f["get_native_id"]))
        if _REAL_MAINTAIN is not None:
            swaps.append((threading, "_maintain_shutdown_locks", f["maintain_shutdown_locks"]))
        if hasattr(threading, "activeCount"):
            swaps.append((threading, "activeCount", f["active_count"]))
        if _PY313:
            swaps += [
                (threading, "_start_joinable_thread", f["start_joinable_thread"]),
                (threading, "_ThreadHandle", ThreadHandle),
                (threading, "_make_thread_handle", f["make_thread_handle"]),
                (_thread, "start_joinable_thread", f["start_joinable_thread"]),
            ]
        else:
            swaps += [
                (threading, "_start_new_thread", f["start_new_thread"]),
                (threading, "_set_sentinel", f["set_sentinel"]),
                (_thread, "_set_sentinel", f["set_sentinel"]),
            ]
        return swaps

    # -- a session ------------------------------------------------------------------

    def install(self) -> None:
        if self._installed:
            return
        for owner, name, value in self._swaps():
            previous = (
                owner.__dict__.get(name, _MISSING)
                if isinstance(owner, type)
                else getattr(owner, name, _MISSING)
            )
            self._saved.append((owner, name, previous))
            setattr(owner, name, value)
        # Per-run values get their own save slots so uninstall restores the originals.
        for owner, name in (
            (threading, "_counter"),
            (threading, "_shutdown_locks"),
            (_cf_thread, "_global_shutdown_lock"),
            (_cf_thread, "_threads_queues"),
            (_cf_thread.ThreadPoolExecutor, "_counter"),
        ):
            if isinstance(owner, type):
                previous = owner.__dict__.get(name, _MISSING)
            else:
                previous = getattr(owner, name, _MISSING)
            if previous is not _MISSING:
                self._saved.append((owner, name, previous))
        # What a run may change and must not keep: threading's, queue's and time's names
        # and their classes' attributes (a subject that replaces Thread.start, say). Taken
        # now, patches in place; every run ends with them as they are here.
        # vars() of a module is its dict, of a class a live view of its dict: taken once
        # here, not at every run's end.
        self._watched = [
            (owner, vars(owner), dict(vars(owner)))
            for owner in (
                threading,
                queue,
                time,
                _thread,
                threading.Thread,
                threading.Condition,
                threading.Event,
                threading.Semaphore,
                threading.BoundedSemaphore,
                threading.Barrier,
                threading.Timer,
                queue.Queue,
                queue.LifoQueue,
                queue.PriorityQueue,
                _cf_thread.ThreadPoolExecutor,
            )
        ]
        # Where begin_run puts each per-run value in the snapshots: (the owner's dict, the
        # name, the snapshot), for the per-run names the owner has.
        self._per_run_slots = tuple(
            (now, name, snapshot)
            for owner, now, snapshot in self._watched
            for owner_, name in self._per_run
            if owner_ is owner and name in snapshot
        )
        self._installed = True

    # Module state every run sets afresh (begin_run): not a change a run made.
    _per_run = (
        (threading, "_counter"),
        (threading, "_shutdown_locks"),
        (_cf_thread, "_global_shutdown_lock"),
        (_cf_thread, "_threads_queues"),
        (_cf_thread.ThreadPoolExecutor, "_counter"),
    )
    _per_run_slots: tuple = ()
    _interpreter: tuple | None = None  # (recursion limit, switch interval) at begin_run

    def _restore_world(self) -> None:
        """Put back whatever a run changed in the watched modules and classes."""
        for owner, now, snapshot in self._watched:
            if now == snapshot:  # the common case: one C-level comparison
                continue
            for name in [n for n in now if n not in snapshot]:
                delattr(owner, name)
            for name, value in snapshot.items():
                if now.get(name, _MISSING) is not value:
                    setattr(owner, name, value)

    def uninstall(self) -> None:
        while self._saved:
            owner, name, previous = self._saved.pop()
            if previous is _MISSING:
                try:
                    delattr(owner, name)
                except AttributeError:
                    pass
            else:
                setattr(owner, name, previous)
        self._installed = False

    # -- a run ------------------------------------------------------------------------

    def begin_run(self) -> None:
        """Fresh counters and module-level state, so every run starts the same way."""
        self._serial = itertools.count(1)
        self._future_serial = itertools.count(1)
        threading._counter = itertools.count(1).__next__
        if _HAS_SHUTDOWN_LOCKS:
            threading._shutdown_locks = set()
        # concurrent.futures' module state: a run gets its own, fresh unless the last run
        # left the previous one untouched (the common case: most subjects use no executor).
        lock = _cf_thread._global_shutdown_lock
        if lock is not self._cf_lock or lock._locked or lock._waiters:
            self._cf_lock = _cf_thread._global_shutdown_lock = Lock.modelled()
        queues = _cf_thread._threads_queues
        if queues is not self._cf_queues or len(queues):
            self._cf_queues = _cf_thread._threads_queues = weakref.WeakKeyDictionary()
        _cf_thread.ThreadPoolExecutor._counter = itertools.count().__next__
        registry = _mp_util._finalizer_registry
        self._finalizers = set(registry) if registry else ()
        # Interpreter-wide settings a subject may change and never put back (a worker
        # that lowers the recursion limit would break interlock's own code after it).
        self._interpreter = (sys.getrecursionlimit(), sys.getswitchinterval())
        # The watched snapshots take this run's fresh values, so that a run that changed
        # nothing else compares equal in one C-level step at its end.
        for now, name, snapshot in self._per_run_slots:
            snapshot[name] = now[name]

    def end_run(self) -> None:
        """Forget this run's threads in threading's registries, and its finalizers; put
        back what the run changed in the world."""
        self._restore_world()
        if self._interpreter is not None:
            limit, interval = self._interpreter
            if sys.getrecursionlimit() != limit:
                sys.setrecursionlimit(limit)
            if sys.getswitchinterval() != interval:
                sys.setswitchinterval(interval)
        registry = _mp_util._finalizer_registry
        if registry:
            # A pool the subject made (util.Finalize(pool, _terminate_pool)) would be
            # finalized at exit or collection, outside the run, joining threads that
            # only existed in it: cancel what the run registered.
            before = self._finalizers
            for key in [k for k in registry if k not in before]:
                finalizer = registry.get(key)
                if finalizer is not None:
                    finalizer.cancel()
        active = threading._active
        for th in self.engine.threads():
            if th.obj is not None and active.get(th.tid) is th.obj:
                del active[th.tid]
        # Each of the rest is most often empty: asked first, for the runs that are quick.
        limbo = threading._limbo
        if limbo:
            for t in list(limbo):
                if "_interlock_serial" in t.__dict__:
                    del limbo[t]
        if self._handlers:
            self._handlers.clear()
        if self._signals_before:
            for signalnum, handler in self._signals_before.items():
                _REAL_SIGNAL(signalnum, handler)
            self._signals_before.clear()
        if self._timers_before:
            now = _REAL[("time", "monotonic")]()
            for which, (delay, interval, when) in self._timers_before.items():
                # The timer a run replaced (pytest-timeout's, say) goes on from where it was.
                left = max(delay - (now - when), 0.001) if delay else 0.0
                _REAL_SETITIMER(which, left, interval)
            self._timers_before.clear()
        if not self._children:
            return
        children, self._children = self._children, []
        for child in children:  # no process a run started outlives it
            if child.returncode is not None:
                continue
            # Popen.wait would take the Popen's waitpid lock, which a thread abandoned
            # inside wait() may hold for good: kill and reap the pid directly.
            try:
                child.kill()
                _, status = os.waitpid(child.pid, 0)
                child.returncode = os.waitstatus_to_exitcode(status)
            except (OSError, ChildProcessError):  # pragma: no cover - reaped already
                pass

    def start_thread_object(self, obj: threading.Thread):
        """Start a ``threading.Thread`` from the engine (the subject's main thread)."""
        handle = getattr(obj, "_handle", None) if _PY313 else None
        return self.engine.spawn(obj._bootstrap, obj=obj, handle=handle)
