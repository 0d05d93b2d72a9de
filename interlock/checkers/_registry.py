"""Checkers declare their invariant next to their function:
``@invariant("name", column="short", order=10, summary="...")``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..models import RunRecord, Verdict
from ..models.invariants import INVARIANTS, Invariant

__all__ = ["CHECKERS", "Checker", "check_all", "invariant"]


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


def invariant(name: str, *, summary: str, column: str, order: int, advisory: bool = False):
    """Register ``function(record) -> Verdict`` as the checker of invariant ``name``.

    ``column`` is its header in the verdict table and ``order`` its place there
    (lower first). A second checker for the same name fails at import and names
    both functions.
    """

    def register(function: Callable[[RunRecord], Verdict]):
        if name in CHECKERS:
            other = CHECKERS[name].function
            msg = (
                f"invariant {name!r} is declared twice: by {other.__module__}.{other.__qualname__}"
                f" and by {function.__module__}.{function.__qualname__}"
            )
            raise ValueError(msg)
        checker = Checker(name, function, advisory, summary, column, order)
        ordered = sorted([*CHECKERS.values(), checker], key=lambda c: (c.order, c.name))
        CHECKERS.clear()
        CHECKERS.update((c.name, c) for c in ordered)
        INVARIANTS[name] = Invariant(name, column, order, summary, advisory)
        return function

    return register


def check_all(record: RunRecord, names=None) -> list[Verdict]:
    """Every registered checker's verdict on one record, in table order."""
    chosen = CHECKERS.values() if names is None else [CHECKERS[n] for n in names]
    # ``c.function`` rather than ``c``: this runs nine times a run, and going through
    # ``Checker.__call__`` would add a Python call to each.
    return [c.function(record) for c in chosen]
