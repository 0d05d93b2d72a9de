"""Text of the subject's objects, made without trusting their code.

Reducing what ``download_all`` handed back (or raised) to text calls ``repr()`` and
``str()``, and a subject's class can define those: one that loops, blocks or raises
would hang interlock or name the wrong exception, after the run and outside every
budget. So the builtin types are read directly, and any other object's own code is
called only under a guard: on the main thread, with a real-time alarm that stops it
after ``LIMIT`` seconds. Where no alarm can be set (another OS thread, no SIGALRM), or
inside a controlled run (``guard=False``: an alarm there could fire in another
thread's code, and the run's own watchdogs bound it), it is called as it is, its
exceptions caught. A failed or stopped call gives a placeholder that says so.
"""

from __future__ import annotations

import signal
import weakref

__all__ = [
    "LIMIT",
    "cause_chain",
    "exception_text",
    "safe_attr",
    "safe_repr",
    "safe_str",
    "str_is_builtin",
]

LIMIT = 0.5  # real seconds one of the subject's __repr__ / __str__ may take

# Types whose repr/str is the interpreter's own code (for containers, only when every
# item is of these types too).
_SCALARS = (str, bytes, bytearray, int, float, complex, bool, type(None))
_CONTAINERS = (tuple, list, frozenset, set)
_CAUSE = BaseException.__dict__["__cause__"].__get__
_CONTEXT = BaseException.__dict__["__context__"].__get__
_ARGS = BaseException.__dict__["args"].__get__


# A type whose __repr__ or __str__ overran once is not called again (each call would
# cost LIMIT, and minimising a violation makes many runs): {type: {"repr()": text}}.
_OVERRAN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


class _Overran(BaseException):
    """Raised by the alarm into a call that took longer than ``LIMIT``."""


def _builtin(obj: object, depth: int = 0) -> bool:
    kind = type(obj)
    if kind in _SCALARS:
        return True
    if kind in _CONTAINERS and depth < 3 and len(obj) <= 16:
        return all(_builtin(item, depth + 1) for item in obj)
    return False


def _unguarded(call, what: str) -> str:
    try:
        text = call()
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the subject's code failed: say so
        return f"<{what}: raised {type(exc).__name__}>"
    return text if type(text) is str else f"<{what}: returned {type(text).__name__}, not str>"


def _guarded(call, what: str, guard: bool = True, kind: type | None = None) -> str:
    """``call()`` under the alarm; ``what``, with why, when it raises or overruns."""
    if not guard:
        return _unguarded(call, what)
    known = _OVERRAN.get(kind, {}).get(what) if kind is not None else None
    if known is not None:
        return known
    armed = [False]

    def overran(signum, frame):
        if armed[0]:
            raise _Overran

    try:
        previous = signal.signal(signal.SIGALRM, overran)
    except (ValueError, AttributeError, OSError):  # not the main thread; no SIGALRM
        return _unguarded(call, what)
    left, interval = signal.setitimer(signal.ITIMER_REAL, 0)
    try:
        armed[0] = True
        signal.setitimer(signal.ITIMER_REAL, LIMIT)
        try:
            text = call()
        finally:
            armed[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
        if type(text) is not str:
            return f"<{what}: returned {type(text).__name__}, not str>"
        return text
    except _Overran:
        text = f"<{what}: did not return within {LIMIT:g} s>"
        if kind is not None:
            try:
                _OVERRAN.setdefault(kind, {})[what] = text
            except TypeError:  # a type that cannot be weakly referenced: not kept
                pass
        return text
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - the subject's code failed: say so
        return f"<{what}: raised {type(exc).__name__}>"
    finally:
        signal.signal(signal.SIGALRM, previous)
        if left > 0:  # someone else's timer was running: put it back
            signal.setitimer(signal.ITIMER_REAL, left, interval)


def safe_repr(obj: object, guard: bool = True) -> str:
    """``repr(obj)``, with the subject's own ``__repr__`` run only under the guard."""
    if _builtin(obj):
        return repr(obj)
    kind = type(obj)
    return _guarded(lambda: repr(obj), f"{kind.__name__} object, repr() failed", guard, kind)


def str_is_builtin(obj: object) -> bool:
    """``str(obj)`` runs none of the subject's code (a builtin, or an exception with
    BaseException's own __str__ and builtin arguments)."""
    if _builtin(obj):
        return True
    kind = type(obj)
    return (
        issubclass(kind, BaseException)
        and kind.__str__ is BaseException.__str__
        and _builtin(_ARGS(obj))
    )


def safe_str(obj: object, guard: bool = True) -> str:
    """``str(obj)``, with the subject's own ``__str__`` run only under the guard."""
    if str_is_builtin(obj):
        return str(obj)
    kind = type(obj)
    return _guarded(lambda: str(obj), f"{kind.__name__} object, str() failed", guard, kind)


def exception_text(exc: BaseException) -> str:
    """``"Type: message"`` (``"Type"`` when the message is empty), made safely."""
    message = safe_str(exc)
    name = type(exc).__name__
    return f"{name}: {message}" if message else name


def safe_attr(obj: object, name: str) -> object:
    """``getattr(obj, name, None)`` for an attribute stored on the object or its class
    (a plain value); the subject's ``__getattr__``, ``__getattribute__`` and
    properties are not run."""
    import inspect

    try:
        value = inspect.getattr_static(obj, name, None)
    except Exception:  # noqa: BLE001 - a hostile __dict__ or __mro__: no such attribute
        return None
    return None if hasattr(type(value), "__get__") and not isinstance(value, _SCALARS) else value


def cause_chain(exc: BaseException):
    """``exc``, its ``__cause__`` or else ``__context__``, and so on, each once; read
    through BaseException's own slots (no subject code runs)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = _CAUSE(current) or _CONTEXT(current)
