"""Strategies declare themselves by name next to their class: ``@declare("pct", ...)``.

``make_strategy``, the CLI's and the plugin's help and the README's list all read
``STRATEGIES``; nothing lists the strategies anywhere else. A second declaration
of a name fails at import and names both modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...models import InvalidSetting
from ..strategy import Strategy

__all__ = ["STRATEGIES", "StrategyKind", "declare", "make_strategy", "strategy_usage"]


@dataclass(frozen=True)
class StrategyKind:
    """One declared strategy: how a spec names it and how to build it.

    ``build(argument, seed)`` gets the text after ``name:`` (None when absent) and
    the seed; it raises ``InvalidSetting`` for an argument it cannot take.
    """

    name: str
    usage: str  # "pct[:DEPTH]"
    summary: str
    build: Callable[[str | None, int], Strategy]
    order: int


STRATEGIES: dict[str, StrategyKind] = {}


def declare(name: str, *, usage: str, summary: str, order: int):
    """Register ``build(argument, seed) -> Strategy`` as the strategy ``name``."""

    def register(build: Callable[[str | None, int], Strategy]):
        if name in STRATEGIES:
            other = STRATEGIES[name].build
            msg = (
                f"strategy {name!r} is declared twice: by {other.__module__}.{other.__qualname__}"
                f" and by {build.__module__}.{build.__qualname__}"
            )
            raise ValueError(msg)
        STRATEGIES[name] = StrategyKind(name, usage, summary, build, order)
        return build

    return register


def _kinds() -> list[StrategyKind]:
    return sorted(STRATEGIES.values(), key=lambda k: (k.order, k.name))


def strategy_usage() -> str:
    """``mix, random, pct[:DEPTH], exhaustive[:BOUND]``: every spec, in declared order."""
    return ", ".join(k.usage for k in _kinds())


def make_strategy(spec: str, seed: int) -> Strategy:
    """The strategy a spec names (``pct``, ``pct:3``, ``exhaustive:2``...), seeded."""
    if not isinstance(spec, str):
        spec = repr(spec)
    name, sep, argument = spec.partition(":")
    kind = STRATEGIES.get(name)
    if kind is None:
        msg = f"unknown strategy {spec!r} (choose {strategy_usage()})"
        raise InvalidSetting(msg)
    return kind.build(argument if sep else None, seed)


def parse_count(spec: str, text: str | None, what: str, *, minimum: int) -> int | None:
    """The integer argument of a spec (``3`` in ``pct:3``), or None when there is none."""
    if text is None:
        return None
    # Digits only: int() would also take " 3", "+3" and "3_0".
    if not text.isascii() or not text.isdigit() or int(text) < minimum:
        msg = f"bad {what} {text!r} in strategy {spec!r}: it must be an integer >= {minimum}"
        raise InvalidSetting(msg)
    return int(text)


def no_argument(name: str, argument: str | None) -> None:
    if argument is not None:
        msg = f"unknown strategy {name + ':' + argument!r} (choose {strategy_usage()})"
        raise InvalidSetting(msg)
