"""Explore: run one scenario over many schedules, check every run, keep first violations."""

from __future__ import annotations

from dataclasses import dataclass

from ..checkers import CHECKERS, check_all
from ..models import RunRecord, Scenario, Subject, Verdict
from ..runtime import Runtime
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
    took, and what a strategy that can finish covered (None for the others)."""

    found: dict[str, Found]
    runs: int
    coverage: Coverage | None


def scenario_key(scenario: Scenario) -> str:
    """The name a scenario's derived seeds are keyed by."""
    return f"{scenario.name}/{len(scenario.tasks)}/{scenario.limit}"


def size_key(scenario: Scenario) -> tuple[int, int, str]:
    """Smaller scenarios first: fewer URLs, then a smaller limit, then by name."""
    return (len(scenario.tasks), scenario.limit, scenario.name)


def explore_scenario(
    runtime: Runtime, subject: Subject, scenario: Scenario, runs: int, *, generated: bool
) -> Scouted:
    """Up to ``runs`` runs of ``scenario``; stops early once every invariant is broken."""
    found: dict[str, Found] = {}
    done = 0
    trials = runtime.trials(subject, scenario, runs, key=scenario_key(scenario))
    for record, strategy, seed in trials:
        done += 1
        for verdict in check_all(record):
            if verdict.holds or verdict.invariant in found:
                continue
            found[verdict.invariant] = Found(verdict, record, scenario, strategy, seed, generated)
        if len(found) == len(CHECKERS):
            break
    return Scouted(found, done, trials.coverage())


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
