"""Small helpers the checkers share: how times, URL lists and "not judged" read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from ..models import RunRecord, Scenario, Verdict
from ..models.events import FAIL, FINISH, START
from ..models.record import (
    DEADLOCK,
    PROCESS_EXIT,
    RAISED,
    SPIN,
    STEP_BUDGET,
    TIMEOUT,
    UNSUPPORTED,
)
from ..models.subject import promises_of

__all__ = [
    "ScenarioFacts",
    "at",
    "deaths",
    "ended_urls",
    "excused",
    "judged_results",
    "keep",
    "not_returned",
    "owed_nothing",
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


# Holding verdicts made once and shared: most runs of an exploration hold for the same
# few reasons ("at most 4 in flight (first at t=0.000s)"), so a checker keys its
# holding verdict by the values its message is made of and builds the message, and the
# verdict, only for a key it has not kept (a verdict is immutable, as the constant ones
# some checkers keep). Equal keys make equal text: the values are ints, strings and
# times, and no time is -0.0 (virtual time starts at 0.0 and only grows; real times
# are differences of a clock's readings, which are never -0.0).
_KEPT = 256


def keep(kept: dict, key: object, verdict: Verdict) -> Verdict:
    """Keep ``verdict`` in ``kept`` under ``key`` (the whole dict is dropped once it holds
    ``_KEPT``, so a long exploration of many scenarios stays small) and return it."""
    if len(kept) >= _KEPT:
        kept.clear()
    kept[key] = verdict
    return verdict


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


def owed_nothing(record: RunRecord) -> frozenset[str]:
    """The URLs a subject that promises fail-fast never started, in a run where a
    download failed: it owes no result for them (the promise is to stop)."""
    if not promises_of(record.subject).fail_fast:
        return frozenset()
    events = record.trace.events
    if not any(e.kind == FAIL for e in events):
        return frozenset()
    started = {e.url for e in events if e.kind == START}
    return frozenset(t.url for t in record.scenario.tasks if t.url not in started)


def excused(count: int) -> str:
    """``; 2 URLs never started after a failure (the subject promises fail-fast)``."""
    if not count:
        return ""
    return (
        f"; {plural(count, 'URL')} never started after a failure (the subject promises fail-fast)"
    )


def deaths(record: RunRecord, shown: int = 3) -> str:
    """``"; Thread-3 died of RecursionError at pool.py:12 in work while downloading u4"``:
    the subject's threads that died of an uncaught exception, which usually explain a
    lost result or a hang; "" when none did."""
    errors = [e for e in record.thread_errors if e.type != PROCESS_EXIT]
    if not errors:
        return ""
    parts = []
    for error in errors[:shown]:
        at_ = f" at {error.where}" if error.where else ""
        parts.append(
            f"{error.thread or 'a thread'} died of {error.type}{at_}{_held(record, error.thread)}"
        )
    more = f" (and {len(errors) - shown} more)" if len(errors) > shown else ""
    return "; " + ", ".join(parts) + more


def _held(record: RunRecord, thread: str | None) -> str:
    """What the thread was doing, from its last download event."""
    last = None
    for e in record.trace:
        if e.thread == thread and e.kind in (START, FINISH, FAIL):
            last = e
    if last is None:
        return ""
    if last.kind == START:
        return f" while downloading {last.url}"
    return f" after downloading {last.url}"


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
