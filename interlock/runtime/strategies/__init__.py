"""Scheduling strategies for the controlled runtime, declared by name.

Each strategy implements ``interlock.runtime.strategy.Strategy`` and declares
itself with ``@declare`` in its own module; the engine is handed one and never
imports this package.
"""

from __future__ import annotations

from ._errors import NondeterministicProgram, ReplayDiverged
from ._registry import STRATEGIES, StrategyKind, declare, make_strategy, strategy_usage

# Imported for their declarations, which fill STRATEGIES.
from .series import SeriesStrategy, for_exploration  # isort: skip
from .random_walk import RandomStrategy  # isort: skip
from .pct import PCTStrategy  # isort: skip
from .exhaustive import ExhaustiveStrategy  # isort: skip
from .dpor import DporStrategy  # isort: skip
from .replay import BASELINE, ReplayStrategy  # isort: skip

__all__ = [
    "BASELINE",
    "DporStrategy",
    "ExhaustiveStrategy",
    "NondeterministicProgram",
    "PCTStrategy",
    "RandomStrategy",
    "ReplayDiverged",
    "ReplayStrategy",
    "STRATEGIES",
    "SeriesStrategy",
    "StrategyKind",
    "declare",
    "make_strategy",
    "for_exploration",
    "strategy_usage",
]
