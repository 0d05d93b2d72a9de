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
import pickle
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool

from .errors import InterlockError
from .models import Settings, Subject, SubjectReport
from .subjects import load_target
from .verify import Verifier

__all__ = ["verify_in_processes"]


@dataclasses.dataclass(frozen=True)
class _Job:
    target: str
    settings: Settings  # carried as is: the worker verifies with the very same settings
    scenarios: tuple[str, ...] | None
    show_progress: bool
    shard: tuple[int, int] | None = None


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

    verifier = Verifier(job.settings, progress=progress, shard=job.shard)
    subject = load_target(job.target)
    scenarios = [load_scenario(s) for s in job.scenarios] if job.scenarios else None
    report = verifier.verify(subject, scenarios)
    return dataclasses.replace(report, subject=None)


def verify_in_processes(
    subjects: Sequence[Subject],
    settings: Settings,
    scenario_args: Sequence[str] | None,
    *,
    jobs: int,
    show_progress: bool = False,
    shard: tuple[int, int] | None = None,
) -> list[SubjectReport]:
    """Verify ``subjects`` with ``settings`` in up to ``jobs`` processes.

    ``scenario_args`` are the names or paths of the scenarios (None: the named
    ones plus generated ones); each worker loads them itself. A worker's error
    (a subject that fails to load, say) is raised here once the others are
    cancelled. ``shard`` (K, N): each worker judges only that shard's runs.
    """
    job_args = [
        _Job(
            target=subject.target,
            settings=settings,
            scenarios=tuple(scenario_args) if scenario_args else None,
            show_progress=show_progress,
            shard=shard,
        )
        for subject in subjects
    ]
    # A job that cannot be sent to a worker fails here, before any process or pool
    # thread exists (sent by the pool's feeder thread, it would fail there, and the
    # pool's shutdown could then wait on its manager thread for ever on 3.13).
    for job in job_args:
        pickle.dumps(job)
    reports: list = [None] * len(subjects)
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(subjects)), mp_context=_context())
    try:
        futures = {pool.submit(_run_job, job): i for i, job in enumerate(job_args)}
        for done, future in enumerate(as_completed(futures), 1):
            i = futures[future]
            try:
                report = future.result()
            except BrokenProcessPool:
                # Every unfinished job fails with the pool: name them all.
                unfinished = [subjects[k].name for k, r in enumerate(reports) if r is None]
                which = unfinished[0] if len(unfinished) == 1 else "one of " + ", ".join(unfinished)
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
        # An error, an interrupt: end every worker now. Waiting for them could take as
        # long as their subjects do, and one stuck before its first job would be waited
        # for at interpreter exit forever.
        _terminate(pool)
        raise
    pool.shutdown(wait=True)
    return reports


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Kill every worker process, then let the pool's own threads see them gone and end
    (a queue feeder thread left running would be in every later fork of this process)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.kill()
    for process in processes:
        process.join(5)
    pool.shutdown(wait=True, cancel_futures=True)
