"""Where a ``tiny`` run's Python calls go: the count behind the instruction figure.

``interlock bench --instructions`` prints instructions per run; this says what
they are spent on, as calls, which (unlike seconds) do not move with the machine.
The same batch ``--instructions`` counts (``_instructions.batch``) and the true
lower bound's (``lower_bound_batch``) run under a profile hook that counts every
call of a Python function, grouped by where the function lives. Each group's
count divided by the runs is printed beside what one bare call costs
(``_instructions.instructions_per_call``), so the cost of a group's calls alone,
before any of their bodies, can be read off.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from collections.abc import Callable

__all__ = ["GROUPS", "calls_per_run", "place"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_STDLIB = os.path.dirname(os.path.abspath(threading.__file__))

# (group, what it is), in the order printed; place() maps a code object's file to one.
GROUPS = (
    ("subject", "the subject's own code (interlock/implementations)"),
    ("stdlib", "threading, queue and the rest of the standard library, unmodified"),
    ("primitives", "modelled locks, conditions and thread starts (runtime/controlled/_primitives)"),
    ("patches", "patched thread identity, clocks and Thread hooks (_patching)"),
    ("scheduler", "engine, thread lifecycle, strategy (the rest of interlock/runtime)"),
    ("record", "fake downloads and the record of the run (interlock/models)"),
    ("check", "the checkers (interlock/checkers)"),
    ("other", "anything else (the bench's own loop)"),
)


def place(filename: str) -> str:
    """The group of ``GROUPS`` that code defined in ``filename`` belongs to."""
    path = os.path.abspath(filename)
    if path.startswith(_PACKAGE + os.sep):
        inner = path[len(_PACKAGE) + 1 :].replace(os.sep, "/")
        if inner.startswith("implementations/"):
            return "subject"
        if inner.startswith("runtime/controlled/_primitives"):
            return "primitives"
        if inner.startswith("runtime/controlled/_patching"):
            return "patches"
        if inner.startswith("runtime/"):
            return "scheduler"
        if inner.startswith("models/"):
            return "record"
        if inner.startswith("checkers/"):
            return "check"
        return "other"
    if path.startswith(_STDLIB + os.sep) and "site-packages" not in path:
        return "stdlib"
    return "other"


def _count(run_batch: Callable[[int], None], runs: int) -> Counter:
    """Python calls made by ``run_batch(runs)``, by group (greenlets share the hook)."""
    by_file: Counter = Counter()

    def hook(frame, event, _arg):
        if event == "call":
            by_file[frame.f_code.co_filename] += 1

    # The controlled runtime's threads are greenlets of this OS thread, which share
    # its hook; the lower bound's are OS threads, which threading gives the hook to.
    threading.setprofile(hook)
    sys.setprofile(hook)
    try:
        run_batch(runs)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    groups: Counter = Counter()
    for filename, n in by_file.items():
        groups[place(filename)] += n
    return groups


def calls_per_run(
    interlock_batch: Callable[[int], None],
    lower_bound_batch: Callable[[int], None],
    runs: int = 200,
) -> tuple[dict[str, float], dict[str, float]]:
    """Python calls per run by group: (``interlock_batch``'s, ``lower_bound_batch``'s).

    Each batch function makes the runs it is given (``_instructions.batch`` and
    ``lower_bound_batch``). Like the instruction count, the figure is the difference
    between a batch of ``runs`` and one of ``runs // 10``, so one-off set-up drops out.
    """
    small = max(1, runs // 10)
    result = []
    for run_batch in (interlock_batch, lower_bound_batch):
        run_batch(small)  # imports and first-run set-up, outside both counts
        few, many = _count(run_batch, small), _count(run_batch, runs)
        result.append({g: (many[g] - few[g]) / (runs - small) for g, _ in GROUPS})
    return result[0], result[1]
