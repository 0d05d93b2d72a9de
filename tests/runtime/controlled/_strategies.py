"""Small strategies the controlled-runtime tests share."""

from __future__ import annotations

from interlock.runtime.controlled import CLOCK


class FirstRunnable:
    """Always the lowest thread id, never CLOCK while a thread can run."""

    name = "first"

    def new_execution(self) -> bool:
        return True

    def next_thread(self, runnable, current):
        return next(t for t in runnable if t != CLOCK)

    def describe(self) -> str:
        return "first"
