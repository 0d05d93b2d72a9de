"""Explore: run one scenario over many schedules, check every run, keep first violations."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from ..checkers import CHECKERS, check_all
from ..models import RunRecord, Scenario, Stop, Subject, Verdict
from ..runtime import OutOfTime, Runtime
from ..runtime.strategy import Coverage

__all__ = ["Found", "Scouted", "explore_scenario", "keep", "scenario_key", "size_key"]


@dataclass(frozen=True)
class Found:
    """A violation as first seen, with what it takes to run it again.

    ``strategy`` and ``seed`` name the schedule that showed it (None: the OS);
    ``generated``: on a scenario Hypothesis made, not a named one.
    """

    verdict: Verdict
    record: RunRecord
    scenario: Scenario
    strategy: str | None
    seed: int
    generated: bool


@dataclass(frozen=True)
class Scouted:
    """What exploring one scenario found: first violations per invariant, the runs it
    took, and what a strategy that can finish covered (None for the others).

    ``ended_by`` is ``Stop.SPIN`` or ``Stop.UNSUPPORTED`` when a run ended so and
    exploring stopped there (another run would most likely cost as much real time
    again, or fail the same way), with the run's ``detail``; ``out_of_time`` says the
    deadline passed first.
    """

    found: dict[str, Found]
    runs: int
    coverage: Coverage | None
    ended_by: Stop | None = None
    detail: str | None = None
    out_of_time: bool = False


# Outcomes that end the exploring of a scenario at once.
_COSTLY = (Stop.SPIN, Stop.UNSUPPORTED)
_CUT_SHORT = (Stop.TIMEOUT, Stop.STEP_BUDGET, Stop.SPIN, Stop.UNSUPPORTED)


def scenario_key(scenario: Scenario) -> str:
    """The name a scenario's derived seeds are keyed by."""
    return f"{scenario.name}/{len(scenario.tasks)}/{scenario.limit}"


def size_key(scenario: Scenario) -> tuple[int, int, str]:
    """Smaller scenarios first: fewer URLs, then a smaller limit, then by name."""
    return (len(scenario.tasks), scenario.limit, scenario.name)


def explore_scenario(
    runtime: Runtime,
    subject: Subject,
    scenario: Scenario,
    runs: int,
    *,
    generated: bool,
    deadline: float = math.inf,
    invariants: Sequence[str] | None = None,
) -> Scouted:
    """Up to ``runs`` runs of ``scenario``, each checked against the invariants not yet
    broken on it (a broken one costs nothing more here); stops early once every
    invariant is broken, a run spins or does what the runtime cannot model, or the
    real-time ``deadline`` (``time.perf_counter``) passes (between runs; a run the
    runtime cut at its own deadline is not judged). ``invariants`` limits the
    checking to those (default: every one)."""
    found: dict[str, Found] = {}
    remaining = list(CHECKERS) if invariants is None else list(invariants)
    done = 0
    cut = 0  # runs stopped before they ended (their schedules go on past the stop)
    ended_by = detail = None
    out_of_time = False
    trials = runtime.trials(subject, scenario, runs, key=scenario_key(scenario))
    try:
        for record, strategy, seed in trials:
            done += 1
            broke = False
            for verdict in check_all(record, remaining):
                if not verdict.holds:
                    found[verdict.invariant] = Found(
                        verdict, record, scenario, strategy, seed, generated
                    )
                    broke = True
            if broke:
                remaining = [name for name in remaining if name not in found]
            if record.outcome in _CUT_SHORT:
                cut += 1
            if record.outcome in _COSTLY:
                ended_by, detail = record.outcome, _first_line(record.diagnosis)
                break
            if not remaining:
                break
            if time.perf_counter() > deadline:
                out_of_time = True
                break
    except OutOfTime:  # a run was cut where it was: not judged
        out_of_time = True
    coverage = trials.coverage()
    if coverage is not None and coverage.complete and cut:
        # A run stopped by a budget has continuations nobody ran: not every schedule.
        coverage = coverage._replace(
            complete=False,
            space=f"{coverage.space}; {cut} of them stopped by a budget before they ended, "
            "so the schedules that go on from there were not explored",
        )
    return Scouted(found, done, coverage, ended_by, detail, out_of_time)


def _first_line(text: str | None) -> str | None:
    return text.strip().splitlines()[0] if text and text.strip() else None


def keep(best: dict[str, Found], new: dict[str, Found]) -> None:
    """Merge ``new`` into ``best``, per invariant: a named scenario beats a generated one,
    and between two of a kind the smaller scenario wins (the earlier one on a tie)."""
    for name, hit in new.items():
        old = best.get(name)
        if (
            old is None
            or (old.generated and not hit.generated)
            or (old.generated == hit.generated and size_key(hit.scenario) < size_key(old.scenario))
        ):
            best[name] = hit
