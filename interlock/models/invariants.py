"""What each invariant is called where it is shown: declared with its checker.

A checker's ``@invariant`` declaration fills ``INVARIANTS`` (the checkers live in
``interlock.checkers``, which imports this); renderers read it to name columns
and order them, so that nothing lists the invariants twice.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["INVARIANTS", "Invariant", "column_of", "order_of"]


@dataclass(frozen=True)
class Invariant:
    """An invariant as reports show it: ``column`` heads its column in the table,
    ``order`` places it (lower first), ``summary`` says when it holds."""

    name: str
    column: str
    order: int
    summary: str
    advisory: bool = False


INVARIANTS: dict[str, Invariant] = {}


def column_of(name: str) -> str:
    """The table's header for invariant ``name`` (its own name when undeclared)."""
    info = INVARIANTS.get(name)
    return info.column if info is not None else name


def order_of(name: str) -> tuple[int, str]:
    info = INVARIANTS.get(name)
    return (info.order if info is not None else 1_000_000, name)
