"""``interlock bench --instructions``: machine instructions per ``tiny`` run, counted by
valgrind's callgrind, which a busy machine cannot change (wall time it can).

Two batches of runs of ``article_queue`` on ``tiny``, as ``verify`` runs them (one
session, a fresh seeded random strategy per run, every checker on every record),
are each run in a fresh ``python`` under callgrind; the difference between them,
divided by the difference in runs, is what one run costs end to end, without the
interpreter's start-up and imports. ``python -m interlock.bench._instructions N``
is the batch itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

__all__ = ["batch", "instructions_per_run"]

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


def _count(runs: int, valgrind: str, workdir: str) -> int:
    out = os.path.join(workdir, f"callgrind.{runs}.out")
    subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            f"--callgrind-out-file={out}",
            sys.executable,
            "-m",
            "interlock.bench._instructions",
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


def instructions_per_run() -> float | None:
    """Instructions one tiny run costs end to end; None without valgrind."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    with tempfile.TemporaryDirectory(prefix="interlock-callgrind-") as workdir:
        small = _count(SMALL, valgrind, workdir)
        large = _count(LARGE, valgrind, workdir)
    return (large - small) / (LARGE - SMALL)


if __name__ == "__main__":
    batch(int(sys.argv[1]))
