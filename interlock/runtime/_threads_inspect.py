"""Read a live thread's stack: what it waits on, where in the subject's code, and
whether it could ever wake up by itself.

A real thread cannot be asked what it is doing, so the threads runtime reads its
frames (``sys._current_frames()``). Most primitives (``Queue``, ``Condition``,
``Event``, ``Semaphore``, ``Thread.join``) are written in Python, so the stack
names them. The few written in C (``_thread.lock.acquire``, ``SimpleQueue.get``,
3.13's thread-handle join) leave no frame of their own: the innermost Python
frame is then stopped on a call (or a ``with``) instruction, and the source of
that call names the method while the frame's variables name the object.

A wait counts as *blocked* only when nothing but another thread can end it: no
timeout, blocking mode. A thread sleeping or waiting with a timeout will wake up
by itself, so it never makes a deadlock.
"""

from __future__ import annotations

import ast
import builtins
import dis
import functools
import inspect
import linecache
import os
import queue
import threading
import types
from dataclasses import dataclass
from types import CodeType, FrameType

from ..models import FakeDownloader, ThreadState
from ._frames import frames as frames_of
from ._frames import is_library_file, is_stdlib_file, location

__all__ = ["ThreadView", "call_in_progress", "is_library_file", "view_thread"]

# Calls that can park a thread until another thread acts.
_BLOCKING_CALLS = frozenset(
    {"acquire", "get", "put", "join", "wait", "wait_for", "result"}
    | {"__enter__", "_acquire_restore", "_wait_for_tstate_lock"}  # their inner names
)
_WITH_OPS = frozenset({"SETUP_WITH", "BEFORE_WITH", "SETUP_ASYNC_WITH", "BEFORE_ASYNC_WITH"})
# Stdlib frames that only hand a thread its work (the thread's start, a pool worker's
# loop): a wait below them is the work's own, so they never name what it waits on.
_DISPATCHERS = frozenset(
    {
        ("threading.py", "_bootstrap"),
        ("threading.py", "_bootstrap_inner"),
        ("threading.py", "run"),
        ("thread.py", "_worker"),  # concurrent.futures.thread
        ("thread.py", "run"),  # concurrent.futures.thread._WorkItem.run
        ("pool.py", "worker"),  # multiprocessing.pool
    }
)
# Internal method names, shown as the operation a reader knows.
_RENAMED = {"__enter__": "acquire", "_acquire_restore": "acquire", "_wait_for_tstate_lock": "join"}
# C types, named as their Python spelling.
_C_TYPES = {
    type(threading.Lock()): "Lock",
    type(threading.RLock()): "RLock",
    queue.SimpleQueue: "SimpleQueue",
}
_MISSING = object()
_STACK_LIMIT = 30

_FETCH_CODE = FakeDownloader.fetch.__code__


@dataclass(frozen=True)
class ThreadView:
    """A thread's state plus what the watchdog needs to decide on deadlock."""

    state: ThreadState
    blocked: bool  # parked in a wait only another thread can end
    signature: tuple[int, int]  # (id of innermost frame, its instruction): unchanged = not moving


@functools.lru_cache(maxsize=512)
def _instructions(code: CodeType) -> dict[int, dis.Instruction]:
    return {i.offset: i for i in dis.get_instructions(code)}


# --- the call a frame is stopped on ------------------------------------------------


@dataclass(frozen=True)
class _Parked:
    callee: str  # method or function name: "acquire", "get", "__enter__", "sleep", ...
    receiver: str | None  # type of the object it was called on, when found ("Lock")
    node: ast.Call | None  # the call's source, to read its arguments


def _parse_statement(line: str) -> ast.AST | None:
    text = line.strip()
    if text.startswith("elif "):
        text = text[2:]
    # A compound statement's header ("with lock:", "if q.get():") parses once given a body.
    for candidate in (text, text + "\n    pass"):
        try:
            return ast.parse(candidate)
        except SyntaxError:
            continue
    return None


def _parse_expression(text: str) -> ast.AST | None:
    try:
        return ast.parse("(" + text + "\n)", mode="eval").body
    except SyntaxError:
        return None


def _source_segment(filename: str, positions) -> str | None:
    """The source text an instruction's positions cover (columns are UTF-8 byte offsets)."""
    lines = [
        linecache.getline(filename, n).encode()
        for n in range(positions.lineno, positions.end_lineno + 1)
    ]
    if not lines or not lines[0]:
        return None
    if len(lines) == 1:
        chunk = lines[0][positions.col_offset : positions.end_col_offset]
    else:
        chunk = (
            lines[0][positions.col_offset :]
            + b"".join(lines[1:-1])
            + lines[-1][: positions.end_col_offset]
        )
    return chunk.decode(errors="replace")


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return None


def _call_node(
    frame: FrameType, instruction: dis.Instruction, any_call: bool = False
) -> ast.Call | None:
    positions = getattr(instruction, "positions", None)  # 3.11+
    if positions is not None and None not in (
        positions.lineno,
        positions.end_lineno,
        positions.col_offset,
        positions.end_col_offset,
    ):
        text = _source_segment(frame.f_code.co_filename, positions)
        node = _parse_expression(text) if text else None
        if isinstance(node, ast.Call):
            return node
    # 3.10 has no columns: take the first blocking call on the frame's line whose name
    # the frame's own code uses (a lambda on the line has its own code object).
    tree = _parse_statement(linecache.getline(frame.f_code.co_filename, frame.f_lineno))
    if tree is None:
        return None
    code = frame.f_code
    names = set(code.co_names) | set(code.co_varnames) | set(code.co_freevars)
    names |= set(code.co_cellvars)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for node in calls:
        callee = _callee(node)
        if (callee in _BLOCKING_CALLS or callee == "sleep") and callee in names:
            return node
    if any_call:  # naming a call the scheduler cannot see (``a.recv(1)``): the line's first
        for node in calls:
            if _callee(node) in names:
                return node
    return None


def _with_target(frame: FrameType) -> ast.AST | None:
    tree = _parse_statement(linecache.getline(frame.f_code.co_filename, frame.f_lineno))
    if tree is None:
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.With, ast.AsyncWith)) and len(node.items) == 1:
            return node.items[0].context_expr
    return None


def _resolve(node: ast.AST | None, frame: FrameType) -> object:
    """The object a dotted name (``lock``, ``self.queue``) denotes in ``frame``, without
    running any of the subject's code (no properties, no ``__getattr__``)."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return _MISSING
    obj = _MISSING
    for scope in (frame.f_locals, frame.f_globals, vars(builtins)):
        if node.id in scope:
            obj = scope[node.id]
            break
    for attr in reversed(attrs):
        if obj is _MISSING:
            break
        obj = inspect.getattr_static(obj, attr, _MISSING)
        if isinstance(obj, (property, staticmethod, classmethod)):
            return _MISSING
    return obj


def _type_name(obj: object) -> str | None:
    if obj is _MISSING:
        return None
    if isinstance(obj, types.ModuleType):  # select.select(...): the module names the call
        return obj.__name__
    return _C_TYPES.get(type(obj), type(obj).__name__)


def _parked(frame: FrameType, any_call: bool = False) -> _Parked | None:
    """The call ``frame`` is stopped on, if its current instruction is a call or a ``with``.
    On 3.10 (no columns) only a known blocking call is recognised, or, with
    ``any_call``, the line's first call."""
    instruction = _instructions(frame.f_code).get(frame.f_lasti)
    if instruction is None:
        return None
    if instruction.opname in _WITH_OPS:
        return _Parked("__enter__", _type_name(_resolve(_with_target(frame), frame)), None)
    # 3.11 runs a specialised call to a builtin in its PRECALL instruction.
    if not instruction.opname.startswith(("CALL", "PRECALL")):
        return None
    node = _call_node(frame, instruction, any_call)
    if node is None:
        return None
    name = _callee(node)
    if name is None:
        return None
    receiver = None
    if isinstance(node.func, ast.Attribute):
        receiver = _type_name(_resolve(node.func.value, frame))
    return _Parked(name, receiver, node)


# --- does the wait have a way out by itself? ---------------------------------------


def _literal(node: ast.AST) -> object:
    """The value of a literal argument (``None``, ``False``, ``-1``), else ``_MISSING``."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _MISSING


def _is_false(node: ast.AST) -> bool:
    return _literal(node) is False


def _is_no_timeout(node: ast.AST) -> bool:
    # None, or a negative number: ``Lock.acquire(True, -1)`` waits forever.
    value = _literal(node)
    if value is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0


# Where the timeout sits among positional arguments, per method (``acquire(blocking, timeout)``).
_TIMEOUT_POSITION = {"acquire": 1, "get": 1, "put": 2, "join": 0, "wait": 0, "result": 0}
_BLOCK_POSITION = {"acquire": 0, "get": 0, "put": 1}


def _call_can_end_alone(parked: _Parked) -> bool:
    """From the source of a C call: does it have a timeout, or not block at all?

    An argument whose value is not a literal counts as a timeout: better to miss
    a deadlock (it is then reported as a timeout) than to report one that is not.
    """
    node = parked.node
    if node is None:
        return False
    for keyword in node.keywords:
        if keyword.arg == "timeout" and not _is_no_timeout(keyword.value):
            return True
        if keyword.arg in ("block", "blocking") and _literal(keyword.value) is not True:
            return True
    name = _RENAMED.get(parked.callee, parked.callee)
    at = _TIMEOUT_POSITION.get(name)
    if at is not None and len(node.args) > at and not _is_no_timeout(node.args[at]):
        return True
    at = _BLOCK_POSITION.get(name)
    return at is not None and len(node.args) > at and _is_false(node.args[at])


def _frame_can_end_alone(frame: FrameType) -> bool:
    """For a stdlib frame: its own ``timeout`` / ``block`` variables say it (``Condition.wait``
    waits on ``waiter.acquire(True, timeout)``; ``Thread.join`` keeps ``timeout=-1``)."""
    try:
        names = frame.f_locals
    except Exception:  # noqa: BLE001 - a frame we cannot read is treated as untimed
        return False
    timeout = names.get("timeout")
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and timeout >= 0:
        return True
    return any(names.get(flag, True) is False for flag in ("block", "blocking"))


# --- naming what a thread waits on -------------------------------------------------


def _defining_class(frame: FrameType) -> str | None:
    """The class whose method ``frame`` runs (``Queue`` for ``PriorityQueue().get``)."""
    try:
        this = frame.f_locals.get("self", _MISSING)
    except Exception:  # noqa: BLE001
        return None
    if this is _MISSING:
        return None
    code = frame.f_code
    for cls in type(this).__mro__:
        fn = cls.__dict__.get(code.co_name)
        if getattr(fn, "__code__", None) is code:
            return cls.__name__
    return None


def _frame_label(frame: FrameType) -> str:
    name = frame.f_code.co_name
    owner = _defining_class(frame)
    label = f"{owner}.{_RENAMED.get(name, name)}" if owner else f"{name}()"
    if owner == "Thread" and label == "Thread.join":
        target = frame.f_locals.get("self")
        label = f"Thread.join({getattr(target, 'name', '?')})"
    return label


def _parked_label(parked: _Parked) -> str:
    name = _RENAMED.get(parked.callee, parked.callee)
    if parked.receiver:
        return f"{parked.receiver}.{name}"
    return "lock acquire (with)" if parked.callee == "__enter__" else f"{name}()"


def _fetch_label(frames: list[FrameType]) -> str | None:
    for frame in frames:
        if frame.f_code is _FETCH_CODE:
            return f"downloading {frame.f_locals.get('url')}"
    return None


def _wait_of(frames: list[FrameType], parked: _Parked | None) -> tuple[str | None, bool]:
    """(label, blocked) for a thread whose frames are ``frames`` (innermost first)."""
    downloading = _fetch_label(frames)
    if downloading:
        return downloading, False
    innermost = frames[0]
    # The library frames the thread is inside, innermost first; the outermost of them
    # (bootstrap aside) is the API the subject called: Queue.get, not Condition.wait.
    run = []
    for frame in frames:
        if not is_stdlib_file(frame.f_code.co_filename):
            break
        if (os.path.basename(frame.f_code.co_filename), frame.f_code.co_name) in _DISPATCHERS:
            break
        run.append(frame)
    parked_waits = parked is not None and parked.callee in _BLOCKING_CALLS
    if run:
        if not parked_waits:
            return None, False  # inside the stdlib, but not parked on anything
        timed = _frame_can_end_alone(innermost)
        api = run[-1]
        if api is innermost and parked.receiver and _defining_class(api) is None:
            label = _parked_label(parked)  # a plain function on a C primitive
        else:
            label = _frame_label(api)
        return (f"{label} (with timeout)" if timed else label), not timed
    if parked is None:
        return None, False
    if parked.callee == "sleep":
        return "sleep", False
    if not parked_waits:
        return None, False
    timed = _call_can_end_alone(parked)
    label = _parked_label(parked)
    return (f"{label} (with timeout)" if timed else label), not timed


def call_in_progress(frame: FrameType) -> str | None:
    """The call ``frame`` is stopped on, named as a reader knows it (``socket.recv``,
    ``select.select``, ``input()``), from the frame's current instruction and source;
    None when it is not stopped on a call."""
    parked = _parked(frame, any_call=True)
    return _parked_label(parked) if parked is not None else None


def _render_stack(frames: list[FrameType]) -> tuple[str, ...]:
    """Outermost first, without interlock's and threading's frames at the outer end."""
    keep = list(reversed(frames))
    while len(keep) > 1 and is_library_file(keep[0].f_code.co_filename):
        keep.pop(0)
    keep = keep[-_STACK_LIMIT:]
    lines = []
    for frame in keep:
        source = linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip()
        lines.append(f"{location(frame)}: {source}" if source else location(frame))
    return tuple(lines)


def _released(frames: list[FrameType], parked: _Parked | None) -> bool:
    """Whether the lock a parked thread waits on is already free: it was notified or
    released, and only waits for the OS to run it (on a loaded machine, for a while).
    Such a thread is not blocked for good, however long it stays in its wait."""
    innermost = frames[0]
    try:
        names = innermost.f_locals
    except Exception:  # noqa: BLE001 - a frame that cannot be read
        return False
    lock = None
    if innermost.f_code.co_name == "wait" and "waiter" in names:  # Condition.wait
        lock = names["waiter"]
    elif innermost.f_code.co_name == "_wait_for_tstate_lock":  # Thread.join, 3.10-3.12
        lock = names.get("lock")
    elif parked is not None and parked.node is not None:
        func = parked.node.func
        if isinstance(func, ast.Attribute) and parked.callee in ("acquire", "__enter__"):
            lock = _resolve(func.value, innermost)
    locked = getattr(lock, "locked", None)
    if not callable(locked):
        return False
    try:
        return not locked()
    except Exception:  # noqa: BLE001 - not a lock after all
        return False


def view_thread(name: str, daemon: bool, frame: FrameType) -> ThreadView:
    """Describe one live thread from its innermost frame."""
    frames = frames_of(frame)
    parked = _parked(frame)
    label, blocked = _wait_of(frames, parked)
    if blocked and _released(frames, parked):
        blocked = False  # woken already: it waits for a CPU, not for another thread
    where = next((location(f) for f in frames if not is_library_file(f.f_code.co_filename)), None)
    state = ThreadState(
        name=name,
        alive=True,
        daemon=daemon,
        waiting_on=label,
        where=where,
        stack=_render_stack(frames),
    )
    return ThreadView(state, blocked, (id(frame), frame.f_lasti))
