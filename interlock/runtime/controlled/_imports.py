"""What a subject made at import, before the patches, and must see modelled in a run.

A lock made at import (``_LOCK = threading.Lock()``, ``logging``'s module lock and
each handler's, a library's global ``Condition``) is a real C lock. Under the
scheduler every thread is a greenlet of one OS thread: a real lock held by one
of them blocks the whole process when another takes it, and a real RLock lets
them all in at once (it sees one owner). A clock copied at import (``from time
import monotonic``, ``def wait(now=time.monotonic)``) reads real time while
sleeps run on virtual time.

So, once per subject, ``scan`` walks what the subject's code can reach (its
module, the modules and objects it names, transitively while they are not the
standard library's, and ``logging`` when it is used), and lists every place
holding such an object. For each run, ``swap_in`` puts a fresh modelled lock, or
the virtual clock, in each place (a ``Condition``, ``Event``, ``Semaphore``,
``Barrier`` or ``Queue`` keeps its identity: its inner lock is swapped), and
``swap_out`` puts the originals back. What is found but cannot be swapped (a
lock inside a tuple, say) is named in a note: never a silent miss.
"""

from __future__ import annotations

import _thread
import _threading_local
import queue
import sys
import threading
import types
from collections import deque

from .._frames import is_library_file
from ._primitives import Lock

__all__ = ["ImportedObjects", "scan"]

_LOCK = type(_thread.allocate_lock())
_RLOCK = _thread.RLock
_LOCAL = _thread._local
_CONDITION_HOOKS = ("acquire", "release", "_release_save", "_acquire_restore", "_is_owned")
_MISSING = object()
# How far from a module the walk looks into objects (their attributes, list items...).
_DEPTH = 3


def _modelled_rlock():
    """An RLock on a modelled lock (the stdlib's pure-Python one), whoever asks."""
    rlock = threading._PyRLock.__new__(threading._PyRLock)
    rlock._block = Lock.modelled()
    rlock._owner = None
    rlock._count = 0
    return rlock


class ImportedObjects:
    """The places around one subject that hold real locks and real clocks."""

    def __init__(self) -> None:
        self.sites: list[tuple] = []  # (kind, where, key, original)
        self.conditions: list[threading.Condition] = []  # real-locked, kept by identity
        self.notes: list[str] = []
        self._saved: list[tuple] = []
        self.clocks: dict = {}  # id of a real clock function -> its replacement, set by scan

    def __bool__(self) -> bool:
        return bool(self.sites or self.conditions)

    def originals(self) -> frozenset[int]:
        """The ids of the objects a run swaps for modelled ones."""
        return frozenset(id(site[3]) for site in self.sites)

    def swap_in(self) -> None:
        """Before a run: a fresh modelled object (or the virtual clock) in every place."""
        fresh: dict[int, object] = {}

        def model(original):
            kept = fresh.get(id(original))
            if kept is None:
                if type(original) is _LOCK:
                    kept = Lock.modelled()
                elif type(original) is _RLOCK:
                    kept = _modelled_rlock()
                elif type(original) is _LOCAL:
                    kept = _threading_local.local()  # per controlled thread, and per run
                else:
                    kept = self.clocks[id(original)]
                fresh[id(original)] = kept
            return kept

        saved = self._saved
        for kind, where, key, original in self.sites:
            replacement = model(original)
            if kind == "attr":
                setattr(where, key, replacement)
            elif kind == "item":
                where[key] = replacement
            elif kind == "cell":
                where.cell_contents = replacement
            elif kind == "defaults":
                values = list(where.__defaults__)
                values[key] = replacement
                where.__defaults__ = tuple(values)
            elif kind == "kwdefaults":
                where.__kwdefaults__[key] = replacement
            saved.append((kind, where, key, original))
        for cond in self.conditions:
            state = {name: cond.__dict__.get(name, _MISSING) for name in _CONDITION_HOOKS}
            saved.append(("condition", cond, (cond._lock, cond._waiters, state), None))
            lock = model(cond._lock)
            cond._lock = lock
            cond._waiters = deque()
            for name in _CONDITION_HOOKS:
                hook = getattr(lock, name, None)
                if hook is None:
                    cond.__dict__.pop(name, None)  # the class's own fallback
                else:
                    cond.__dict__[name] = hook

    def swap_out(self) -> None:
        """After a run: every original back where it was."""
        saved, self._saved = self._saved, []
        for kind, where, key, original in reversed(saved):
            if kind == "attr":
                setattr(where, key, original)
            elif kind == "item":
                where[key] = original
            elif kind == "cell":
                where.cell_contents = original
            elif kind == "defaults":
                values = list(where.__defaults__)
                values[key] = original
                where.__defaults__ = tuple(values)
            elif kind == "kwdefaults":
                where.__kwdefaults__[key] = original
            elif kind == "condition":
                lock, waiters, state = key
                where._lock = lock
                where._waiters = waiters
                for name, value in state.items():
                    if value is _MISSING:
                        where.__dict__.pop(name, None)
                    else:
                        where.__dict__[name] = value


def _module_label(module: types.ModuleType) -> str:
    """How a note names a module: a file target by its file (its module name is made up)."""
    name = module.__name__
    path = getattr(module, "__file__", None)
    if name.startswith("interlock_target_") and path:
        return path.rsplit("/", 1)[-1].removesuffix(".py")
    return name


def _is_ours(obj) -> bool:
    """An object of the subject's world: not the standard library's, nor interlock's."""
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    path = getattr(module, "__file__", None)
    return path is not None and not is_library_file(path)


class _Walk:
    def __init__(self, found: ImportedObjects, clocks: dict) -> None:
        self.found = found
        self.clocks = clocks
        self.seen: set[int] = set()
        self.modules: list[types.ModuleType] = []
        self.uses_logging = False

    def module(self, module: types.ModuleType) -> None:
        if id(module) in self.seen:
            return
        self.seen.add(id(module))
        self.modules.append(module)
        label = _module_label(module)
        for name, value in list(vars(module).items()):
            self.value(value, ("attr", module, name), f"{label}.{name}", 0)

    def value(self, value, site: tuple, label: str, depth: int) -> None:
        kind = type(value)
        if kind is _LOCK or kind is _RLOCK or kind is _LOCAL or id(value) in self.clocks:
            if site[0] == "none":
                what = (
                    "a clock copied"
                    if id(value) in self.clocks
                    else "a threading.local made"
                    if kind is _LOCAL
                    else "a lock made"
                )
                note = (
                    f"{label} holds {what} at import, where the run cannot swap it for a "
                    "modelled one"
                )
                if note not in self.found.notes:
                    self.found.notes.append(note)
            else:
                self.found.sites.append((*site, value))
            return
        if id(value) in self.seen:
            return
        if isinstance(value, types.ModuleType):
            if value.__name__ == "logging":
                self.uses_logging = True
            path = getattr(value, "__file__", None)
            if path is not None and not is_library_file(path):
                self.module(value)
            return
        if isinstance(value, (types.FunctionType, type)):
            self.seen.add(id(value))
            if isinstance(value, types.FunctionType):
                self.function(value, label)
            if _is_ours(value):
                module = sys.modules.get(value.__module__)
                if module is not None:
                    self.module(module)
                if isinstance(value, type):
                    for name, attr in list(vars(value).items()):
                        if isinstance(attr, (staticmethod, classmethod)):
                            attr = attr.__func__
                        self.value(attr, ("attr", value, name), f"{label}.{name}", depth + 1)
            return
        self.seen.add(id(value))
        self.primitive(value, label)
        if depth >= _DEPTH:
            return
        if isinstance(value, dict):
            for key, item in list(value.items()):
                self.value(item, ("item", value, key), f"{label}[{key!r}]", depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.value(item, ("item", value, index), f"{label}[{index}]", depth + 1)
        elif isinstance(value, (tuple, frozenset, set)):
            for item in value:
                self.value(item, ("none",), f"an item of {label}", depth + 1)
        elif _is_ours(type(value)) and isinstance(getattr(value, "__dict__", None), dict):
            for name, attr in list(vars(value).items()):
                self.value(attr, ("attr", value, name), f"{label}.{name}", depth + 1)

    def function(self, fn: types.FunctionType, label: str) -> None:
        if fn.__defaults__:
            for index, default in enumerate(fn.__defaults__):
                self.value(default, ("defaults", fn, index), f"a default of {label}", _DEPTH)
        if fn.__kwdefaults__:
            for key, default in list(fn.__kwdefaults__.items()):
                self.value(default, ("kwdefaults", fn, key), f"a default of {label}", _DEPTH)
        for cell in fn.__closure__ or ():
            try:
                content = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            self.value(content, ("cell", cell, None), f"a variable {label} closes over", 1)
        module = sys.modules.get(fn.__module__ or "")
        if module is not None and _is_ours(fn):
            self.module(module)

    def primitive(self, value, label: str) -> None:
        """The pure-Python primitives: a real inner lock is swapped, the object kept."""
        conds = []
        if isinstance(value, threading.Condition):
            conds = [value]
        elif isinstance(value, (threading.Event, threading.Semaphore, threading.Barrier)):
            conds = [value._cond]
        elif isinstance(value, queue.Queue):
            conds = [value.not_empty, value.not_full, value.all_tasks_done]
            self.value(value.mutex, ("attr", value, "mutex"), f"{label}.mutex", _DEPTH)
        for cond in conds:
            if type(cond._lock) in (_LOCK, _RLOCK) and cond not in self.found.conditions:
                self.found.conditions.append(cond)

    def logging(self) -> None:
        logging = sys.modules.get("logging")
        if logging is None:
            return
        lock = getattr(logging, "_lock", None)
        if type(lock) in (_LOCK, _RLOCK):
            self.found.sites.append(("attr", logging, "_lock", lock))
        for ref in list(getattr(logging, "_handlerList", ())):
            handler = ref()
            lock = getattr(handler, "lock", None)
            if type(lock) in (_LOCK, _RLOCK):
                self.found.sites.append(("attr", handler, "lock", lock))


def scan(fn, clocks: dict) -> ImportedObjects:
    """Everything around ``fn`` (a subject's ``download_all``) holding a real lock, a C
    thread-local or a real clock; ``clocks`` maps the id of each real clock function to
    its virtual replacement."""
    found = ImportedObjects()
    found.clocks = clocks
    walk = _Walk(found, clocks)
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    if module is not None:
        walk.module(module)
    if isinstance(fn, types.FunctionType):
        walk.function(fn, getattr(fn, "__qualname__", "download_all"))
    if walk.uses_logging or any(
        "logging" in type(v).__module__ for m in walk.modules for v in vars(m).values()
    ):
        walk.logging()
    return found
