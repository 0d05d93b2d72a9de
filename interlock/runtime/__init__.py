"""How code is run: the ``Runtime`` protocol, and the runtimes that implement it.

Two runtimes, declared in ``RUNTIMES`` and loaded on first use: ``controlled``
(the subject's real threading code on greenlets and a virtual clock, one thread
at a time, a strategy choosing who runs) and ``threads`` (real OS threads, each
run in a forked child). The conductor holds a ``Runtime`` and never asks which
one it is; what differs between them is said through the protocol.
"""

from __future__ import annotations

from ._protocol import (
    RUNTIMES,
    OutOfTime,
    Runtime,
    Trial,
    Trials,
    make_runtime,
    runtime_names,
)

__all__ = [
    "RUNTIMES",
    "OutOfTime",
    "Runtime",
    "Trial",
    "Trials",
    "make_runtime",
    "runtime_names",
]
