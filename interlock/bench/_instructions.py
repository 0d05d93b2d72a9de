"""``interlock bench --instructions``: machine instructions per ``tiny`` run, counted by
valgrind's callgrind, which a busy machine cannot change (wall time it can).

Two batches of runs of ``article_queue`` on ``tiny``, as ``verify`` runs them (one
session, a fresh seeded random strategy per run, every checker on every record),
are each run in a fresh ``python`` under callgrind; the difference between them,
divided by the difference in runs, is what one run costs end to end, without the
interpreter's start-up and imports. ``python -m interlock.bench._instructions N``
is the batch itself.

The same is counted for the true lower bound (``_lower_bound``: the same subject
and scenario on CPython's own threads, downloads instant, no scheduler), whose
batch is ``python -m interlock.bench._instructions --lower-bound N``; the ratio
says how many times the lower bound one interlock run costs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

__all__ = [
    "batch",
    "bare_calls",
    "instructions_per_call",
    "instructions_per_run",
    "lower_bound_batch",
]

SMALL, LARGE = 20, 120


def batch(runs: int) -> None:
    """``runs`` runs of article_queue on tiny, as verify runs them."""
    import contextlib
    import io

    from ..checkers import check_all
    from ..runtime.controlled import ControlledRuntime
    from ..runtime.strategies import make_strategy
    from ..scenarios import load_scenario
    from ..subjects import builtin_subjects

    subject = builtin_subjects()["article_queue"]
    tiny = load_scenario("tiny")
    runtime = ControlledRuntime()
    with contextlib.redirect_stdout(io.StringIO()), runtime.session():
        for seed in range(runs):
            strategy = make_strategy("random", seed)
            strategy.new_execution()
            check_all(runtime.run(subject, tiny, strategy))


def lower_bound_batch(runs: int) -> None:
    """``runs`` runs of article_queue on tiny with no scheduler: the true lower bound."""
    import contextlib
    import io

    from ..scenarios import load_scenario
    from ..subjects import builtin_subjects
    from ._lower_bound import run_without_scheduler

    subject = builtin_subjects()["article_queue"]
    tiny = load_scenario("tiny")
    with contextlib.redirect_stdout(io.StringIO()):
        for _ in range(runs):
            run_without_scheduler(subject, tiny)


def bare_calls(n: int, *, call: bool = True) -> None:
    """``n`` calls of a bound method with one argument, from a loop in a function
    (``call=False``: the same loop, empty): what one bare Python call costs."""

    class Lock:
        def acquire(self, blocking=True):
            return blocking

    acquire = Lock().acquire
    if call:
        for _ in range(n):
            acquire(False)
    else:
        for _ in range(n):
            pass


def _count(runs: int, valgrind: str, workdir: str, mode: tuple[str, ...] = ()) -> int:
    out = os.path.join(workdir, f"callgrind{''.join(mode)}.{runs}.out")
    subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "interlock.bench._instructions",
            *mode,
            str(runs),
        ],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    with open(out, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = re.match(r"(?:summary|totals):\s+(\d+)", line)
            if match:
                return int(match.group(1))
    msg = f"no instruction total in {out}"
    raise RuntimeError(msg)


def _per_run(valgrind: str, workdir: str, mode: tuple[str, ...] = (), scale: int = 1) -> float:
    small = _count(SMALL * scale, valgrind, workdir, mode)
    large = _count(LARGE * scale, valgrind, workdir, mode)
    return (large - small) / ((LARGE - SMALL) * scale)


def instructions_per_call(valgrind: str, workdir: str) -> float:
    """Instructions one bare Python call costs (a bound method, one argument), its
    loop's own cost taken off: the least any call into interlock's code adds."""
    calls = _per_run(valgrind, workdir, ("--calls",), scale=1000)
    loop = _per_run(valgrind, workdir, ("--loop",), scale=1000)
    return calls - loop


def instructions_per_run(*, say=print) -> float | None:
    """Instructions one tiny run costs end to end; None without valgrind.

    The true lower bound is counted too, and ``say`` is given its line (figure and
    ratio) before interlock's own figure is returned for the caller to print.
    """
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory(prefix="interlock-callgrind-") as workdir:
        interlock = _per_run(valgrind, workdir)
        lower = _per_run(valgrind, workdir, ("--lower-bound",))
        per_call = instructions_per_call(valgrind, workdir)
    say(_lower_bound_line(interlock, lower))
    for line in _calls_lines(per_call):
        say(line)
    return interlock


def _calls_lines(per_call: float) -> list[str]:
    """The table of Python calls per run by group, against the lower bound's."""
    from ._calls import GROUPS, calls_per_run

    ours, lower = calls_per_run(batch, lower_bound_batch)
    lines = [
        "Python calls per tiny run, by where the code lives (the true lower bound's "
        f"in brackets); one bare call costs {per_call:,.0f} instructions:"
    ]
    for group, what in GROUPS:
        if ours[group] or lower[group]:
            lines.append(f"  {group:<11} {ours[group]:6.0f} ({lower[group]:4.0f})  {what}")
    own = sum(ours[g] for g in ("primitives", "patches", "scheduler", "record", "check"))
    lines.append(
        f"  interlock's own code: {own:,.0f} calls a run, at least "
        f"{own * per_call:,.0f} instructions before any of their bodies runs"
    )
    return lines


def _lower_bound_line(interlock: float, lower: float) -> str:
    line = (
        "instructions per tiny run, true lower bound (article_queue on CPython's own "
        f"threads, instant downloads, no scheduler): {lower:,.0f}"
    )
    if lower > 0:
        line += f"; interlock end to end is {interlock / lower:.2f} x it"
    return line


if __name__ == "__main__":
    if sys.argv[1] == "--lower-bound":
        lower_bound_batch(int(sys.argv[2]))
    elif sys.argv[1] in ("--calls", "--loop"):
        bare_calls(int(sys.argv[2]), call=sys.argv[1] == "--calls")
    else:
        batch(int(sys.argv[1]))
