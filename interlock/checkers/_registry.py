"""Checkers declare their invariant next to their function:
``@invariant("name", column="short", order=10, summary="...")``.

A user's invariant is declared the same way, in a test file or next to their
subject: ``verify`` checks every declared invariant on every run and reports it
like a built-in one; ``forget_invariant`` takes a user's invariant back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import RunRecord, Verdict
from ..models.invariants import INVARIANTS, Invariant

__all__ = ["CHECKERS", "USER_ORDER", "Checker", "check_all", "forget_invariant", "invariant"]

# Where an invariant declared without ``order`` goes: after every built-in one.
USER_ORDER = 100
_BUILTIN = __name__.rpartition(".")[0] + "."  # "interlock.checkers."


@dataclass(frozen=True)
class Checker:
    name: str
    function: Callable[[RunRecord], Verdict]
    advisory: bool
    summary: str
    column: str = ""
    order: int = 0

    def __call__(self, record: RunRecord) -> Verdict:
        return self.function(record)


# In table order (``order``, then name); rebuilt at each declaration.
CHECKERS: dict[str, Checker] = {}


def invariant(
    name: str,
    *,
    summary: str,
    column: str | None = None,
    order: int = USER_ORDER,
    advisory: bool = False,
):
    """Register ``function(record) -> Verdict`` as the checker of invariant ``name``.

    ``summary`` says when it holds; ``column`` is its header in the verdict table
    (default: its name) and ``order`` its place there (lower first; default: after
    the built-in ones). ``advisory``: a violation warns and leaves the exit code
    alone. A second checker for the same name fails at import and names both
    functions; the same function declared again (its module imported a second time,
    under another name) replaces the first.
    """
    if not isinstance(name, str) or not name.strip():
        msg = f"an invariant's name must be a non-empty string (got {name!r})"
        raise ValueError(msg)

    def register(function: Callable[[RunRecord], Verdict]):
        if name in CHECKERS and not _same_function(CHECKERS[name].function, function):
            other = CHECKERS[name].function
            msg = (
                f"invariant {name!r} is declared twice: by {other.__module__}.{other.__qualname__}"
                f" and by {function.__module__}.{function.__qualname__}"
            )
            raise ValueError(msg)
        checker = Checker(name, function, advisory, summary, column or name, order)
        _put(checker)
        return function

    return register


def forget_invariant(name: str) -> None:
    """Take back an invariant a user declared (a test's own, say, once it is done);
    the built-in ones stay."""
    checker = CHECKERS.get(name)
    if checker is None:
        msg = f"no invariant {name!r} is declared"
        raise ValueError(msg)
    if checker.function.__module__.startswith(_BUILTIN):
        msg = f"invariant {name!r} is built in: it cannot be forgotten"
        raise ValueError(msg)
    del CHECKERS[name]
    INVARIANTS.pop(name, None)


def _put(checker: Checker) -> None:
    others = [c for c in CHECKERS.values() if c.name != checker.name]
    ordered = sorted([*others, checker], key=lambda c: (c.order, c.name))
    CHECKERS.clear()
    CHECKERS.update((c.name, c) for c in ordered)
    INVARIANTS[checker.name] = Invariant(
        checker.name, checker.column, checker.order, checker.summary, checker.advisory
    )


def _same_function(old: Callable, new: Callable) -> bool:
    """The same source function, as a module imported twice (a file target and a test
    importing it) defines it twice."""
    old_code, new_code = getattr(old, "__code__", None), getattr(new, "__code__", None)
    return (
        old_code is not None
        and new_code is not None
        and old.__qualname__ == new.__qualname__
        and old_code.co_filename == new_code.co_filename
    )


def check_all(record: RunRecord, names=None) -> list[Verdict]:
    """Every registered checker's verdict on one record, in table order."""
    chosen = CHECKERS.values() if names is None else [CHECKERS[n] for n in names]
    # ``c.function`` rather than ``c``: this runs nine times a run, and going through
    # ``Checker.__call__`` would add a Python call to each.
    return [c.function(record) for c in chosen]
