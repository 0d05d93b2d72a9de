"""What each step of a run touched, for a strategy that reduces by commuting steps.

Only a strategy that asks (``wants_steps``, the ``dpor`` search) pays for this:
for its runs the engine's scheduling point, blocking, time passing, thread
starts and thread bodies are wrapped by instance attributes over the class's
methods, and the modelled primitives' methods by class attributes, all put
back when the run ends. The hot path of every other run is untouched.

A *step* runs from the moment a thread is given the CPU to its next scheduling
point. Its keys are the synchronisation objects it used: every modelled
primitive (a lock, a thread's start event, its end, a ``SimpleQueue``...), the
thread-id counter when it starts a thread (ids are given in start order), the
run's download record when it records a download. The main thread's return
depends on every step.

What is not a key is assumed not to be shared: plain Python objects touched
between scheduling points. That is the assumption every search at
synchronisation points makes already (a race between two plain lines is found
with ``--granularity line``, which no reduction is used with): a program whose
shared data is guarded by its locks, queues and joins behaves the same in every
order of the steps that touch different objects.

Time passing (``CLOCK``) depends only on what involves the clock: a step that
reads the time, and one that sets or cancels a timer (a timed wait begun, or
ended early by a notify), so a download's start need not be tried before and
after every unrelated step. Two timers set commute (timers fire in deadline
order and wake threads into a sorted runnable set), as do two reads of the
time. A thread whose wait time ended runs after that passing of time.
"""

from __future__ import annotations

from ...models import FakeDownloader
from ...models.events import FAIL, FINISH, START
from ..strategy import CLOCK, EVERY, Step
from . import _patching, _primitives

__all__ = ["Footprints"]

_SPAWN = "spawn"  # the thread-id counter
_RECORD = "record"  # the download record, when every event's order counts
_STARTED, _ENDED = "download start", "download end"
_CLOCK, _TIMER, _READ = "time passing", "timer", "time read"
# What each kind of key does not commute with (any other key: with itself). The
# number in flight at every moment is the same whichever of two download starts is
# recorded first; two timers set, or two reads of the time, commute.
_CONFLICTS = {
    _STARTED: frozenset({_ENDED}),
    _ENDED: frozenset({_STARTED}),
    _TIMER: frozenset({_CLOCK}),
    _READ: frozenset({_CLOCK}),
    _CLOCK: frozenset({_CLOCK, _TIMER, _READ}),
}
_EVERY = frozenset({EVERY})
_CLOCK_KEYS = frozenset({_CLOCK})

# The modelled primitives' methods that read or change their state.
_METHODS = {
    _primitives.Lock: (
        "acquire",
        "release",
        "locked",
        "_is_owned",
        "_release_save",
        "_acquire_restore",
        "acquire_lock",
        "release_lock",
        "locked_lock",
    ),
    _primitives.TstateLock: ("acquire", "release", "locked", "__enter__", "__exit__"),
    _primitives.ThreadHandle: ("is_done", "_set_done", "join"),
    _primitives.StartEvent: ("is_set", "isSet", "set", "clear", "wait"),
    _primitives.SimpleQueue: ("put", "put_nowait", "get", "get_nowait", "empty", "qsize"),
    _primitives.PipeQueue: ("put", "get", "empty", "_wake"),
    _primitives.PipeReader: ("poll",),
}
# Pipe queues and the waits on them share one key: a wait watches several queues.
_PIPES = (_primitives.PipeQueue, _primitives.PipeReader, type(_primitives.READERS))


_WRAPPED = (
    "_schedule",
    "point",
    "block",
    "wake_all",
    "_advance",
    "_wake_timeout",
    "_body",
    "spawn",
)


def _conflicts(keys: frozenset, known: dict) -> frozenset:
    """The keys ``keys`` do not commute with (``known``: the answers so far)."""
    found = known.get(keys)
    if found is None:
        out: set = set()
        for k in keys:
            out |= _CONFLICTS.get(k, {k}) if type(k) is str else {k}
        found = known[keys] = keys if out == keys else frozenset(out)
    return found


def _watched(base: type) -> type:
    """``base`` (the engine's class) with its clock's reads noted too."""

    def read(engine) -> float:
        engine.footprints.touch(_READ)
        return engine.__dict__["now"]

    def write(engine, value: float) -> None:
        engine.__dict__["now"] = value

    return type(f"Watched{base.__name__}", (base,), {"now": property(read, write)})


class Footprints:
    """Notes the steps of each run of ``engine`` made for ``strategy``."""

    def __init__(self, strategy, *, downloads_commute: bool = False) -> None:
        self.strategy = strategy
        self.downloads_commute = downloads_commute
        self.steps: list[Step] = []
        self._after: dict[int, int] = {}  # thread -> the step its next step follows
        self._open: int | None = None  # the thread whose step is under way
        self._keys: set = set()
        self._known: dict = {}  # keys -> their conflicts, worked out once
        self._engine = None
        self._base: type | None = None  # the engine's own class
        self._watched: type | None = None
        # Objects made in a run are named by who made them, in that thread's order: the
        # same object gets the same name in every run of the same steps (an id would
        # not), so a step noted in one run can be compared with a step of another.
        self._names: dict[int, tuple] = {}
        self._made: dict[int, int] = {}  # thread -> objects it has made this run
        self._alive: list = []  # the run's named objects, so that no id is reused
        self._methods = [
            (cls, name, getattr(cls, name), self._touching(getattr(cls, name)))
            for cls, names in _METHODS.items()
            for name in names
        ]

        self._methods += [
            (cls, "__init__", cls.__init__, self._naming(cls.__init__))
            for cls in _METHODS
            if "__init__" in cls.__dict__
        ]

    # -- a run -----------------------------------------------------------------------

    def begin(self, engine) -> None:
        if self._base is not type(engine):
            self._base = type(engine)
            self._watched = _watched(self._base)
        self._engine = engine
        self.steps = []
        self._after = {}
        self._open = None
        self._keys.clear()
        self._names.clear()
        self._made.clear()
        self._alive.clear()
        self.strategy.watch(self.steps)
        engine.__class__ = self._watched
        engine._schedule = engine.point = self._scheduled
        engine.block = self._block
        engine.wake_all = self._wake_all
        engine._advance = self._advance
        engine._wake_timeout = self._wake_timeout
        engine._body = self._body
        engine.spawn = self._spawn
        for cls, name, _, touching in self._methods:
            setattr(cls, name, touching)
        _patching.wait_readers = self._wait_readers

    def end(self, engine) -> None:
        self._close()
        engine.__class__ = self._base
        for name in _WRAPPED:
            engine.__dict__.pop(name, None)
        for cls, name, original, _ in self._methods:
            setattr(cls, name, original)
        _patching.wait_readers = _primitives.wait_readers
        self._engine = None
        self._alive.clear()

    def downloader(self, scenario) -> FakeDownloader:
        return _TouchingDownloader(scenario, self)

    # -- noting ------------------------------------------------------------------------

    def touch(self, key) -> None:
        if self._open is not None:
            self._keys.add(key)

    def _stopped(self) -> bool:
        engine = self._engine
        return engine is None or engine.aborting or engine._stop_reason is not None

    def _close(self) -> None:
        if self._open is None:
            return
        if not self._stopped():
            keys = frozenset(self._keys)
            after = self._after.pop(self._open, -1)
            self.steps.append(Step(self._open, keys, _conflicts(keys, self._known), after))
        self._keys.clear()
        self._open = None

    def _key(self, obj):
        """What a primitive is noted by: its name if the run made it, else its id (an
        object made before the run lives through every run); None for a plain sleep."""
        name = self._names.get(id(obj))
        if name is not None:
            return name
        if obj is _primitives.SLEEP:
            return None
        if isinstance(obj, _PIPES):
            return "pipes"
        return ("made before the run", id(obj))

    def _naming(self, init):
        def naming(obj, *args, **kwargs):
            init(obj, *args, **kwargs)
            engine = self._engine
            me = engine.current() if engine is not None else None
            tid = me.tid if me is not None else 0
            made = self._made[tid] = self._made.get(tid, 0) + 1
            self._names[id(obj)] = (tid, made)
            self._alive.append(obj)

        naming.__name__ = "__init__"
        return naming

    def _touching(self, method):
        touch = self.touch
        key_of = self._key

        def touching(obj, *args, **kwargs):
            key = key_of(obj)
            touch(key)
            try:
                return method(obj, *args, **kwargs)
            finally:
                touch(key)  # the step that finished the call, if it waited inside

        touching.__name__ = method.__name__
        touching.__qualname__ = method.__qualname__
        return touching

    # -- the engine's wrapped methods ------------------------------------------------------

    def _scheduled(self, th, can_continue: bool = True) -> None:
        engine = self._engine
        self._close()
        self._base._schedule(engine, th, can_continue)
        me = engine.current()
        if me is not None:
            self._open = me.tid

    def _block(self, th, waitlist, deadline, what) -> bool:
        key = self._key(what)
        if key is not None:
            self.touch(key)
        if deadline is not None:
            self.touch(_TIMER)
        woke = self._base.block(self._engine, th, waitlist, deadline, what)
        if key is not None:
            self.touch(key)  # the retry that follows reads the object again
        return woke

    def _wake_all(self, waitlist: list) -> None:
        if any(th.deadline is not None for th in waitlist):
            self.touch(_TIMER)  # a timed wait ended early: its timer is cancelled
        self._base.wake_all(self._engine, waitlist)

    def _advance(self) -> None:
        self._close()
        if not self._stopped():
            self.steps.append(Step(CLOCK, _CLOCK_KEYS, _conflicts(_CLOCK_KEYS, self._known)))
        self._base._advance(self._engine)

    def _wake_timeout(self, th) -> None:
        self._after[th.tid] = len(self.steps) - 1  # the time passing just noted
        self._base._wake_timeout(self._engine, th)

    def _body(self, th, func, args, kwargs) -> None:
        if self._open != th.tid:
            self._close()
            self._open = th.tid
        try:
            self._base._body(self._engine, th, func, args, kwargs)
        finally:
            if th.tid == 1:
                self.touch(EVERY)  # main's return: the run's outcome is read here

    def _spawn(self, *args, **kwargs):
        th = self._base.spawn(self._engine, *args, **kwargs)
        if self._open is not None:
            self.touch(_SPAWN)
            self._after[th.tid] = len(self.steps)  # the step under way
        return th

    def _wait_readers(self, readers, timeout, th):
        self.touch("pipes")
        try:
            return _primitives.wait_readers(readers, timeout, th)
        finally:
            self.touch("pipes")


class _TouchingDownloader(FakeDownloader):
    def __init__(self, scenario, footprints: Footprints) -> None:
        super().__init__(scenario)
        self._footprints = footprints

    def _record(self, kind: str, url: str) -> None:
        if not self._footprints.downloads_commute:
            key = _RECORD
        elif kind == START:
            key = _STARTED
        elif kind in (FINISH, FAIL):
            key = _ENDED
        else:
            key = _RECORD
        self._footprints.touch(key)
        super()._record(kind, url)  # it reads the time too (the event's timestamp)
