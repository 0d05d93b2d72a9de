"""Scheduling strategies for the controlled runtime, and decision tokens.

Each strategy implements ``interlock.runtime.controlled.strategy.Strategy``;
the engine is handed one and never imports this package.
"""

from __future__ import annotations

from ..controlled.strategy import Strategy
from ._errors import NondeterministicProgram, ReplayDiverged
from ._token import decode_decisions, encode_decisions
from .exhaustive import ExhaustiveStrategy
from .pct import PCTStrategy
from .random_walk import RandomStrategy
from .replay import ReplayStrategy

__all__ = [
    "ExhaustiveStrategy",
    "NondeterministicProgram",
    "PCTStrategy",
    "RandomStrategy",
    "ReplayDiverged",
    "ReplayStrategy",
    "decode_decisions",
    "encode_decisions",
    "make_strategy",
]

_USAGE = "choose random, pct[:DEPTH], exhaustive[:BOUND]"


def make_strategy(spec: str, seed: int) -> Strategy:
    """Build a strategy from ``random``, ``pct``, ``pct:DEPTH``, ``exhaustive`` or ``exhaustive:BOUND``.

    ``seed`` feeds the random strategies; exhaustive search ignores it.
    """
    name, sep, arg = spec.partition(":") if isinstance(spec, str) else (spec, "", "")
    if name == "random" and not sep:
        return RandomStrategy(seed)
    if name == "pct":
        if not sep:
            return PCTStrategy(seed)
        return PCTStrategy(seed, depth=_parse_int(spec, arg, "DEPTH", minimum=1))
    if name == "exhaustive":
        if not sep:
            return ExhaustiveStrategy()
        return ExhaustiveStrategy(preemption_bound=_parse_int(spec, arg, "BOUND", minimum=0))
    msg = f"unknown strategy {spec!r} ({_USAGE})"
    raise ValueError(msg)


def _parse_int(spec: str, text: str, what: str, minimum: int) -> int:
    # Digits only: int() would also take " 3", "+3" and "3_0".
    if not text.isascii() or not text.isdigit() or int(text) < minimum:
        msg = f"bad {what} {text!r} in strategy {spec!r}: it must be an integer >= {minimum}"
        raise ValueError(msg)
    return int(text)
