"""Minimise: cut a violation's schedule to the shortest prefix that still shows it, and
replay the result to prove it is deterministic.

A prefix is run by following its decisions and then never preempting (the
baseline). Failing prefixes are searched by bisection: the shortest found is
not guaranteed minimal when failing is not monotone in the prefix length, but
every record kept does fail, and it is never longer than the one found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from ..checkers import check_all
from ..models import RunRecord, Scenario, Verdict
from ..runtime import OutOfTime

__all__ = ["SHRINK_CANDIDATES", "Minimal", "minimise", "shortest_prefix", "shrink_scenario"]

NONDETERMINISTIC = (
    " (replaying this schedule gave a different trace: the subject depends on something "
    "the scheduler does not control, such as real time, randomness or an unmodelled primitive)"
)


@dataclass(frozen=True)
class Minimal:
    """The smallest failing record found, its verdict, and whether replaying its
    decisions gave the very same trace (None: the time ran out first). ``cut``: the
    runtime's deadline passed while minimising, so the record may not be the smallest."""

    record: RunRecord
    verdict: Verdict
    deterministic: bool | None
    cut: bool = False


def shortest_prefix(found, run_prefix: Callable, fails: Callable):
    """The shortest failing run found by bisection over the prefixes of ``found``'s
    decisions: ``run_prefix(decisions)`` runs a prefix then the baseline (a run with
    ``decisions``, or None when it cannot), ``fails(run)`` says whether it still fails.
    Every run kept fails, and none is longer than ``found``."""
    decisions = list(found.decisions)
    best = found
    low, high = 0, len(decisions)
    while low < high:
        mid = (low + high) // 2
        attempt = run_prefix(decisions[:mid])
        if attempt is not None and fails(attempt):
            high = mid
            if len(attempt.decisions) <= len(best.decisions):
                best = attempt
        else:
            low = mid + 1
    return best


def minimise(
    record: RunRecord,
    invariant: str,
    run_prefix: Callable[[Sequence[int]], RunRecord],
    replay: Callable[[Sequence[int]], RunRecord | None],
    *,
    search: bool = True,
) -> Minimal:
    """``run_prefix(decisions)`` runs a prefix then the baseline; ``replay(decisions)``
    follows every decision (None when they no longer fit). Without ``search`` the
    schedule is kept as it is and only replayed (for a run that costs a second of real
    time to make again: a spin)."""
    best = record
    cut = False
    if search:

        def attempt(decisions: Sequence[int]) -> RunRecord | None:
            nonlocal cut
            try:
                return run_prefix(decisions)
            except OutOfTime:  # not run: the bisection keeps the shortest found so far
                cut = True
                return None

        best = shortest_prefix(
            record, attempt, lambda attempt: not check_all(attempt, [invariant])[0].holds
        )
    verdict = check_all(best, [invariant])[0]
    try:
        again = replay(best.decisions)
    except OutOfTime:
        return Minimal(best, verdict, None, cut=True)
    deterministic = again is not None and again.trace.render() == best.trace.render()
    if not deterministic:
        verdict = replace(
            verdict, message="NONDETERMINISTIC: " + verdict.message + NONDETERMINISTIC
        )
    return Minimal(best, verdict, deterministic, cut)


# Candidates a scenario shrink may try: each costs a few dozen runs.
SHRINK_CANDIDATES = 24


def shrink_scenario(
    scenario: Scenario,
    breaks: Callable[[Scenario], object | None],
    *,
    keep_limit: bool = False,
    candidates: int = SHRINK_CANDIDATES,
) -> tuple[Scenario, object | None]:
    """The smallest scenario found that still breaks: fewer URLs, then a lower limit
    (unless ``keep_limit``: the claim is about that limit), then every duration 1 s
    and no failure, where each still breaks. ``breaks(candidate)`` explores one
    candidate and returns what it found (None: it held). Greedy, one change at a
    time, at most ``candidates`` tries; returns the scenario and the last find."""
    best, found = scenario, None
    tries = 0

    def attempt(candidate: Scenario) -> bool:
        nonlocal best, found, tries
        if tries >= candidates or (candidate.tasks, candidate.limit) == (best.tasks, best.limit):
            return False
        tries += 1
        hit = breaks(candidate)
        if hit is None:
            return False
        best, found = candidate, hit
        return True

    while True:  # fewer URLs, then a lower limit, until neither helps
        before = (best.tasks, best.limit)
        _fewer_urls(best, attempt, lambda: best, lambda: tries < candidates)
        if not keep_limit:
            while best.limit > 1 and attempt(_with(best, limit=best.limit - 1)):
                pass
        if (best.tasks, best.limit) == before:
            break
    plain = tuple(replace(t, duration=1.0, fails=False) for t in best.tasks)
    if not attempt(_with(best, tasks=plain)):
        for index in range(len(best.tasks)):
            for change in ({"duration": 1.0}, {"fails": False}):
                task = best.tasks[index]
                simpler = replace(task, **change)
                if simpler != task:
                    attempt(
                        _with(best, tasks=(*best.tasks[:index], simpler, *best.tasks[index + 1 :]))
                    )
    return best, found


def _fewer_urls(start: Scenario, attempt, current, more) -> None:
    """Drop URLs: halves first, then smaller chunks, from the end."""
    chunk = len(start.tasks) // 2
    while chunk >= 1 and more():
        best = current()
        removed = False
        for begin in range(len(best.tasks) - chunk, -1, -chunk):
            tasks = best.tasks[:begin] + best.tasks[begin + chunk :]
            if tasks and attempt(_with(best, tasks=tasks)):
                removed = True
                break
        if not removed:
            chunk //= 2


def _with(scenario: Scenario, **changes) -> Scenario:
    name = scenario.name if scenario.name.endswith(", shrunk") else f"{scenario.name}, shrunk"
    return replace(scenario, name=name, **changes)
