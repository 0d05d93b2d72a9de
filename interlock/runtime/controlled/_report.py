"""What each thread is doing, and why a run could not go on: built only when reporting.

"Where" is the innermost frame of the subject's own code (outside the stdlib
and outside interlock's machinery); the "operation" is the outermost library
frame that frame called (``Queue.get``, ``Thread.join``, ``Lock.acquire``).
The cause of a deadlock is derived from the wait-for relation, the same way
for every subject: a cycle of lock holders or joins, a chain of joins ending
at a blocked thread, or a thread waiting for a signal no live thread can send.
"""

from __future__ import annotations

from pathlib import Path

from ...models import Stop, ThreadState
from .._frames import frames as _frames
from .._frames import is_library_file as _is_library
from .._frames import location as _where
from .._frames import self_of as _self_of
from .._threads_inspect import call_in_progress

__all__ = ["diagnose", "stuck_state", "subject_where", "thread_state", "thread_state_at"]

_HERE = str(Path(__file__).resolve().parent)

# The stdlib's private class names, as a reader knows them.
_CLASS_NAMES = {"_RLock": "RLock", "_PySimpleQueue": "SimpleQueue", "TstateLock": "Thread"}

# Patched functions (in _patching) as the stdlib names them.
_PATCHED_OPS = {"sleep": "time.sleep", "mp_wait": "multiprocessing.connection.wait"}

# What a thread blocked in an operation waits for someone else to do.
_VERBS = {
    "Queue.get": "put an item",
    "SimpleQueue.get": "put an item",
    "Queue.put": "take an item",
    "Queue.join": "call task_done()",
    "Event.wait": "set the event",
    "Condition.wait": "notify it",
    "Condition.wait_for": "notify it",
    "Semaphore.acquire": "release it",
    "BoundedSemaphore.acquire": "release it",
    "Barrier.wait": "reach the barrier",
    "Lock.acquire": "release the lock",
    "RLock.acquire": "release the lock",
    "Future.result": "finish the future",
}


# The engine's own modules: a frame there is the scheduler, not an operation.
_ENGINE_FILES = frozenset(
    str(Path(__file__).resolve().parent / f"{name}.py")
    for name in ("_engine", "_clock", "_lifecycle", "_watchdog")
)


def _op_name(frame) -> str | None:
    code = frame.f_code
    name = code.co_name
    if code.co_filename in _ENGINE_FILES:
        return None  # a model outside interlock blocked directly: its wait names itself
    if frame.f_code.co_filename.startswith(_HERE) and name in _PATCHED_OPS:
        return _PATCHED_OPS[name]
    self = _self_of(frame)
    if self is not None:
        for cls in type(self).__mro__:
            attr = cls.__dict__.get(name)
            if getattr(attr, "__code__", None) is code:
                label = _CLASS_NAMES.get(cls.__name__, cls.__name__)
                if name == "__enter__":
                    name = "acquire"
                return f"{label}.{name}"
    module = frame.f_globals.get("__name__", "?")
    return f"{module}.{name}"


def _locate(top_frame) -> tuple[str | None, str | None, object, tuple[str, ...]]:
    """(where, operation, the operation's self, subject stack outer-to-inner) from a frame."""
    frames = _frames(top_frame)
    where = op = None
    op_self = None
    stack = tuple(_where(f) for f in reversed(frames) if not _is_library(f.f_code.co_filename))
    for i, f in enumerate(frames):
        if not _is_library(f.f_code.co_filename):
            where = _where(f)
            if i > 0:
                op_frame = frames[i - 1]
                op = _op_name(op_frame)
                op_self = _self_of(op_frame)
            break
    if where is None and frames:
        entry = _entry(frames)
        if entry is not None:
            # Started on a primitive's own method (Thread(target=queue.get)): that
            # method is the operation, and where it waits is inside it.
            return _where(entry), _op_name(entry), _self_of(entry), stack
        # No subject frame (a stdlib pool's own thread): show the innermost stdlib
        # frame outside interlock's machinery and the operation it is in.
        op = _op_name(frames[-1])
        for i, f in enumerate(frames):
            if not f.f_code.co_filename.startswith(_HERE):
                where = _where(f)
                if i > 0:
                    op = _op_name(frames[i - 1])
                break
    return where, op, op_self, stack


_PRIMITIVE_MODULES = frozenset({"threading", "queue"})
_BOOTSTRAP = frozenset({"run", "_bootstrap", "_bootstrap_inner"})


def _entry(frames: list):
    """The frame a thread was started on, when it is a threading or queue method."""
    for f in reversed(frames):  # outermost first
        if f.f_code.co_filename.startswith(_HERE):
            continue
        module = f.f_globals.get("__name__")
        if module == "threading" and f.f_code.co_name in _BOOTSTRAP:
            continue
        return f if module in _PRIMITIVE_MODULES else None
    return None


def subject_where(frame) -> str | None:
    """``file:line in function`` of the innermost subject frame from ``frame`` out."""
    return _locate(frame)[0]


def _name(th) -> str:
    return th.name if th is not None else "?"


def _detail(op: str | None, op_self, th, engine) -> str:
    """Text after the operation: what it waits for, asked of the wait itself when it is
    the whole story, else of the stdlib object the operation runs on."""
    what = th.what
    if what is None:
        return ""
    if what.precise:
        return what.describe_wait(th)
    try:
        if op in ("Queue.get", "Queue.put", "Queue.join") and op_self is not None:
            if op == "Queue.join":
                return f"{op_self.unfinished_tasks} unfinished task(s)"
            size = op_self._qsize()
            return (
                "queue empty" if op == "Queue.get" else f"queue full ({size} of {op_self.maxsize})"
            )
        if op == "RLock.acquire" and op_self is not None:
            owner = engine.thread(op_self._owner)
            return f"held by {_name(owner)}"
        if op == "Semaphore.acquire" or op == "BoundedSemaphore.acquire":
            return f"value {op_self._value}"
        if op == "Barrier.wait":
            return f"{op_self.n_waiting} of {op_self.parties} waiting"
    except Exception:  # noqa: BLE001 - a subject's subclass with other fields
        return ""
    if op is None or op == what.operation:
        # The building block was used directly (a plain Lock.acquire): it is the story.
        return what.describe_wait(th)
    return ""


def thread_state(th, engine) -> ThreadState:
    """One thread's state for a report (the thread is suspended, not running)."""
    frame = th.glet.gr_frame if th.glet is not None and th.started else None
    return thread_state_at(th, engine, frame)


def thread_state_at(th, engine, frame) -> ThreadState:
    """One thread's state for a report, read from ``frame`` (the running thread's own,
    or a suspended one's)."""
    daemon = th.daemon
    if th.obj is not None:
        daemon = bool(getattr(th.obj, "_daemonic", daemon))
    if th.done:
        return ThreadState(th.name, alive=False, daemon=daemon)
    if frame is None:
        return ThreadState(
            th.name, alive=True, daemon=daemon, waiting_on=None, where="(not started yet)"
        )
    where, op, op_self, stack = _locate(frame)
    waiting = None
    if th.blocked:
        what = th.what
        timed_by_itself = what is not None and what.is_timer
        if op is None and what is not None:
            op = what.operation
        detail = _detail(op, op_self, th, engine)
        waiting = f"{op or 'blocked'}: {detail}" if detail else (op or "blocked")
        if th.deadline is not None and not timed_by_itself:
            waiting += f" (timeout at t={th.deadline:.3f}s)"
    return ThreadState(
        th.name, alive=True, daemon=daemon, waiting_on=waiting, where=where, stack=stack
    )


def stuck_state(th, frame, engine, *, blocked: bool) -> ThreadState:
    """The state of the thread caught in one step too long, from the frame it was in:
    ``blocked`` in a call the scheduler does not model (named from the frame's current
    instruction), or running without reaching a scheduling point."""
    where, op, _, stack = _locate(frame)
    if blocked:
        call = call_in_progress(frame) if frame is not None else None
        label = call or op or "a call"
        if op and call and op != call and not op.endswith("." + call.split(".")[-1]):
            label = f"{call} (inside {op})"
        waiting = label
    else:
        inside = f" (inside {op})" if op else ""
        waiting = f"running without a scheduling point{inside}"
    return ThreadState(
        th.name, alive=True, daemon=th.daemon, waiting_on=waiting, where=where, stack=stack
    )


def _edge(th, engine):
    """The thread ``th`` waits for, when that is a single thread (lock holder, joined
    thread): the wait says."""
    what = th.what
    return what.waits_for(th) if what is not None else None


def _op_of(state: ThreadState) -> str:
    return (state.waiting_on or "").split(":")[0].split(" (")[0]


def _at(state: ThreadState) -> str:
    return f" at {state.where}" if state.where else ""


def _deadlock_cause(states: dict, threads: list, engine) -> str:
    live = [th for th in threads if not th.done]
    exited = [th for th in threads if th.done]
    # A cycle in "waits for": each thread has at most one edge, so walk.
    for start in live:
        seen: list = []
        node = start
        while node is not None and not node.done and node not in seen:
            seen.append(node)
            node = _edge(node, engine)
        if node is not None and node in seen:
            cycle = seen[seen.index(node) :]
            parts = [
                f"{th.name} waits for {_edge(th, engine).name} in {_op_of(states[th.tid])}{_at(states[th.tid])}"
                for th in cycle
            ]
            return "Cycle: " + "; ".join(parts) + "."
    # A chain from the main thread (or the first blocked thread) to the thread it ends at.
    first = threads[0] if threads and threads[0].tid == 1 else None
    if first is None or first.done:
        first = live[0]
    chain = [first]
    while True:
        nxt = _edge(chain[-1], engine)
        if nxt is None or nxt in chain:
            break
        chain.append(nxt)
    sentences = []
    for th, nxt in zip(chain, chain[1:], strict=False):
        s = states[th.tid]
        sentences.append(f"{th.name} waits in {_op_of(s)} for {nxt.name}{_at(s)}")
    root = chain[-1]
    rs = states[root.tid]
    if root.done:
        sentences.append(f"{root.name} has ended without releasing what it held")
    else:
        op = _op_of(rs)
        verb = _VERBS.get(op, "wake it")
        others = len(live) - 1
        gone = ", ".join(th.name for th in exited[:4]) + (", ..." if len(exited) > 4 else "")
        who = (
            f"{len(exited)} thread(s) have exited ({gone})" if exited else "no thread has exited"
        ) + (f" and the other {others} are blocked too" if others else "")
        what = rs.waiting_on or op
        holder = _edge(root, engine)
        if holder is not None and holder.done:
            sentences.append(
                f"{root.name} is blocked in {what}{_at(rs)}: {holder.name} acquired the lock and "
                "ended without releasing it"
            )
        else:
            sentences.append(
                f"{root.name} is blocked in {what}{_at(rs)}; no live thread can {verb}: {who}"
            )
    return "; ".join(sentences) + "."


def diagnose(
    reason,
    detail,
    states,
    threads,
    *,
    main_done: bool,
    now: float,
    grace: float,
    fn_name: str = "download_all",
) -> str:
    """One paragraph: why the run stopped, and what every relevant thread was doing
    (``fn_name``: the function the run called, as the paragraph names it)."""
    engine = None
    # The engine snapshots every thread in id order; ``threads`` is in id order too.
    by_tid = dict(zip((th.tid for th in threads), states, strict=False))
    alive = [s for s in states if s.alive]
    if main_done:
        parts = []
        for s in alive:
            flag = " (daemon: killed at exit)" if s.daemon else ""
            if reason == Stop.TIMEOUT:
                doing = (
                    f"still {s.waiting_on or 'running'}{_at(s)} {grace:g}s of virtual time after "
                    f"{fn_name} returned"
                )
            elif reason in (Stop.SPIN, Stop.STEP_BUDGET):
                doing = f"never stopped ({detail}){_at(s)}"
            else:
                doing = f"blocked forever in {s.waiting_on or 'an unknown wait'}{_at(s)}"
            hang = "" if s.daemon else ": the process would hang at exit"
            parts.append(f"{s.name}{flag} {doing}{hang}")
        return f"Left behind after {fn_name} returned: " + "; ".join(parts) + "."
    if reason == Stop.DEADLOCK:
        return "Deadlock: no thread can run and no timer is pending. " + _deadlock_cause(
            by_tid, threads, engine
        )
    listing = "; ".join(f"{s.name}: {s.waiting_on or 'runnable'}{_at(s)}" for s in alive)
    if reason == Stop.TIMEOUT:
        return (
            f"Timeout: {detail} before {fn_name} returned (now t={now:.3f}s). Threads: {listing}."
        )
    if reason == Stop.SPIN:
        return f"Spin: {detail}. Threads: {listing}."
    if reason == Stop.UNSUPPORTED:
        return f"Not modelled: {detail}.\nThreads: {listing}."
    if reason == Stop.STEP_BUDGET:
        return f"Step budget: {detail} before {fn_name} returned (a livelock?). Threads: {listing}."
    return f"{reason}: {detail}. Threads: {listing}."
