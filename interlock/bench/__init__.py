"""``interlock bench``: speed and detection figures, measured side by side in one run.

The package holds everything the benchmark uses: ``_figures`` (what ``interlock
bench`` prints), ``_instructions`` (``--instructions``: instructions per run,
counted by callgrind), ``_floor`` (a bare greenlet scheduler to measure against),
``_lower_bound`` (the same run with no scheduler at all: the true lower bound),
``_jobs`` (``verify --jobs 2`` against ``--jobs 1``), ``_scale`` (one run at a size, in
a fresh interpreter) and
``strategies`` (the per-decision cost of each strategy: ``python -m
interlock.bench.strategies``).
"""

from __future__ import annotations

from ._figures import run_benchmarks
from ._instructions import instructions_per_run

__all__ = ["instructions_per_run", "run_benchmarks"]
