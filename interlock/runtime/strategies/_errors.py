"""The errors a strategy raises when a program does not repeat itself."""

from __future__ import annotations

from ...models import InterlockError

__all__ = ["NondeterministicProgram", "ReplayDiverged", "diverged"]


class NondeterministicProgram(InterlockError, RuntimeError):
    """The same decisions led to a different choice point than before.

    Exhaustive search and replay both rely on a program that, given the same
    decisions, reaches the same scheduling points. When it does not, what was
    explored or recorded no longer describes the program, so we stop loudly.
    ``index`` is the 0-based decision number; ``expected`` and ``got`` say
    what differed.
    """

    def __init__(self, message: str, index: int, expected: object, got: object) -> None:
        super().__init__(message)
        self.index = index
        self.expected = expected
        self.got = got

    def __reduce__(self):  # keep the fields when pickled across a process boundary
        return (type(self), (str(self), self.index, self.expected, self.got))


class ReplayDiverged(NondeterministicProgram):
    """A replayed run reached a choice its recording cannot answer."""


def diverged(pos: int, expected_runnable, expected_current, runnable, current) -> None:
    """Raise ``NondeterministicProgram``: decision ``pos`` offered ``runnable`` and
    ``current``, where an earlier run with the same decisions was offered the expected."""
    if tuple(expected_runnable) != tuple(runnable):
        what, expected, got = "runnable", list(expected_runnable), list(runnable)
    else:
        what, expected, got = "current thread", expected_current, current
    msg = (
        f"program is not deterministic: at decision {pos} the {what} was "
        f"expected to be {expected!r} (as in an earlier run with the same decisions) "
        f"but got {got!r}"
    )
    raise NondeterministicProgram(msg, pos, expected, got)
