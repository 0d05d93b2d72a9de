"""The controlled runtime: a subject's real threading code, one thread at a time, on
greenlets and a virtual clock, with a strategy choosing who runs at every scheduling point.
"""

from __future__ import annotations

from ..strategy import CLOCK, Strategy
from ._engine import Engine, Execution, StrategyError
from ._runtime import (
    ControlledResult,
    ControlledRuntime,
    RunStopped,
    controlled_session,
    run_controlled,
    run_controlled_ex,
)

__all__ = [
    "CLOCK",
    "ControlledResult",
    "ControlledRuntime",
    "Engine",
    "Execution",
    "RunStopped",
    "Strategy",
    "StrategyError",
    "controlled_session",
    "run_controlled",
    "run_controlled_ex",
]
