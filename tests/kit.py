"""The test kit every test file shares: small subjects, scenarios and strategies.

One copy of each helper, imported as ``from tests.kit import ...``.
"""

from __future__ import annotations

import types

from interlock.models import Scenario, Subject, TaskSpec
from interlock.runtime.strategy import CLOCK, Coverage

__all__ = ["ONE", "TWO", "FirstRunnable", "module", "run_cli", "subject"]

ONE = Scenario("one", (TaskSpec("u0", duration=1.0),), limit=1)
TWO = Scenario("two", (TaskSpec("u0", duration=1.0), TaskSpec("u1", duration=2.0)), limit=2)


def subject(fn, *, name: str | None = None, breaks: dict | None = None) -> Subject:
    """A ``Subject`` for a test's own ``download_all`` function."""
    return Subject(
        name=name or fn.__name__,
        download_all=fn,
        target=f"{fn.__module__}:{fn.__name__}",
        breaks=breaks or {},
    )


def module(name: str = "fake_subject", **attrs) -> types.ModuleType:
    """A module object holding ``attrs``, as if imported."""
    mod = types.ModuleType(name)
    mod.__dict__.update(attrs)
    return mod


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    """``interlock ARGV``: (exit code, stdout, stderr)."""
    from interlock.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class FirstRunnable:
    """Always the lowest thread id, never CLOCK while a thread can run."""

    name = "first"

    def new_execution(self) -> bool:
        return True

    def next_thread(self, runnable, current):
        return next(t for t in runnable if t != CLOCK)

    def describe(self) -> str:
        return "first"

    def coverage(self) -> Coverage | None:
        return None

    def label(self) -> tuple[str, int]:
        return "first", 0
