"""``interlock verify --jobs N``: subjects verified side by side, one process each.

A subject's verification depends only on the subject, the scenarios and the
verifier's settings (every seed is derived from those), so it can run in any
process in any order: the reports, put back in the subjects' order, are the
ones a single process would have made. Each worker loads the subject again
from its target and sends back a report without the subject object (which
holds a function that may not pickle); the parent puts its own back.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .errors import InterlockError
from .subjects import Subject, load_target
from .verify import SubjectReport, Verifier

__all__ = ["verify_in_processes"]


@dataclasses.dataclass(frozen=True)
class _Job:
    target: str
    runtime: str
    seed: int
    strategy: str
    budget: object
    scenarios: tuple[str, ...] | None
    show_progress: bool


def _context():
    # fork where there is one: the worker starts with the parent's modules (a subject
    # loaded from a file path included) instead of importing everything again.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_job(job: _Job) -> SubjectReport:
    from .scenarios import load_scenario

    def progress(message: str) -> None:
        if job.show_progress:
            print(f"interlock: {message}", file=sys.stderr, flush=True)

    verifier = Verifier(
        job.runtime, seed=job.seed, strategy=job.strategy, budget=job.budget, progress=progress
    )
    subject = load_target(job.target)
    scenarios = [load_scenario(s) for s in job.scenarios] if job.scenarios else None
    report = verifier.verify(subject, scenarios, generate=None if scenarios is None else False)
    return dataclasses.replace(report, subject=None)


def verify_in_processes(
    subjects: Sequence[Subject],
    verifier: Verifier,
    scenario_args: Sequence[str] | None,
    *,
    jobs: int,
    show_progress: bool = False,
) -> list[SubjectReport]:
    """Verify ``subjects`` with ``verifier``'s settings in up to ``jobs`` processes.

    ``scenario_args`` are the names or paths of the scenarios (None: the named
    ones plus generated ones); each worker loads them itself. A worker's error
    (a subject that fails to load, say) is raised here once the others are
    cancelled.
    """
    job_args = [
        _Job(
            target=subject.target,
            runtime=verifier.runtime_name,
            seed=verifier.seed,
            strategy=verifier.strategy,
            budget=verifier.budget,
            scenarios=tuple(scenario_args) if scenario_args else None,
            show_progress=show_progress,
        )
        for subject in subjects
    ]
    reports: list = [None] * len(subjects)
    with ProcessPoolExecutor(max_workers=min(jobs, len(subjects)), mp_context=_context()) as pool:
        futures = {pool.submit(_run_job, job): i for i, job in enumerate(job_args)}
        try:
            for done, future in enumerate(as_completed(futures), 1):
                i = futures[future]
                try:
                    report = future.result()
                except BrokenProcessPool:
                    # Every unfinished job fails with the pool: name them all.
                    unfinished = [subjects[k].name for k, r in enumerate(reports) if r is None]
                    which = (
                        unfinished[0] if len(unfinished) == 1 else "one of " + ", ".join(unfinished)
                    )
                    msg = (
                        f"a worker process ended abruptly (killed by a signal, or a crash in C) while "
                        f"verifying {which}; run it alone, without --jobs, to see where"
                    )
                    raise InterlockError(msg) from None
                reports[i] = dataclasses.replace(report, subject=subjects[i])
                if show_progress:
                    print(
                        f"interlock: [{done}/{len(subjects)}] {subjects[i].name} done",
                        file=sys.stderr,
                        flush=True,
                    )
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return reports
