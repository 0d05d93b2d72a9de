"""Small helpers the checkers share: how times, URL lists and "not judged" read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from ..models import RunRecord, Scenario
from ..models.events import FAIL, FINISH
from ..models.record import DEADLOCK, RAISED, SPIN, STEP_BUDGET, TIMEOUT, UNSUPPORTED

__all__ = [
    "ScenarioFacts",
    "at",
    "ended_urls",
    "judged_results",
    "not_returned",
    "plural",
    "scenario_facts",
    "url_list",
]

# A one-line message names at most this many URLs; evidence lines carry the rest.
MAX_NAMED = 10


def at(t: float) -> str:
    """A virtual time as every message writes it: ``2.000s``."""
    return f"{t:.3f}s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 URL``, ``2 URLs``; ``many`` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def url_list(urls: Sequence[str], limit: int = MAX_NAMED) -> str:
    """URLs separated by spaces, cut after ``limit`` with a count of the rest."""
    shown = " ".join(urls[:limit])
    rest = len(urls) - limit
    return f"{shown} ... (+{rest} more)" if rest > 0 else shown


def judged_results(record: RunRecord) -> bool:
    """Whether there are results to judge: download_all returned and they were collected."""
    return record.results is not None


def not_returned(record: RunRecord) -> str:
    """Why there are no results, for "not judged" messages: what the run did instead."""
    why = {
        DEADLOCK: "the run deadlocked",
        TIMEOUT: "the run ran out of its time budget",
        SPIN: "a thread spun without yielding",
        STEP_BUDGET: "the run ran out of scheduling steps",
        UNSUPPORTED: "the run used something the runtime does not model",
    }.get(record.outcome)
    if record.crash is not None:
        why = f"it raised {record.crash.describe()}"
    elif record.outcome == RAISED:
        why = "it raised"
    elif why is None:
        why = f"the run ended with outcome {record.outcome!r} and no results"
    return f"download_all did not return ({why})"


def ended_urls(events: Iterable) -> int:
    """How many distinct URLs reached a finish or a failure."""
    return len({e.url for e in events if e.kind in (FINISH, FAIL)})


class ScenarioFacts(NamedTuple):
    """What checkers derive from a scenario alone."""

    total_duration: float  # ``sum`` of the scripted durations, in task order
    time_budget: float
    succeeding: tuple[str, ...]  # URLs scripted to succeed, in task order
    failing: tuple[str, ...]  # URLs scripted to fail, in task order
    durations: Mapping[str, float]  # URL -> scripted duration, for every URL of the scenario


# The facts of the few scenarios checked last: {id: (scenario, facts)}. Exploration
# checks thousands of runs of one scenario, and each fact is a walk over its tasks
# (500 in ``article``). Holding the scenario keeps its id from being reused while
# its entry lives; a scenario is immutable, so its facts never go stale.
_FACTS: dict[int, tuple[Scenario, ScenarioFacts]] = {}
_FACTS_KEPT = 8


def scenario_facts(scenario: Scenario) -> ScenarioFacts:
    """The facts of ``scenario``, computed once while it is among the last few checked."""
    entry = _FACTS.get(id(scenario))
    if entry is not None and entry[0] is scenario:
        return entry[1]
    tasks = scenario.tasks
    facts = ScenarioFacts(
        sum(t.duration for t in tasks),
        scenario.time_budget,
        tuple(t.url for t in tasks if not t.fails),
        tuple(t.url for t in tasks if t.fails),
        MappingProxyType({t.url: t.duration for t in tasks}),
    )
    if len(_FACTS) >= _FACTS_KEPT:
        del _FACTS[next(iter(_FACTS))]
    _FACTS[id(scenario)] = (scenario, facts)
    return facts
