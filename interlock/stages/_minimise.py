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
from ..models import RunRecord, Verdict

__all__ = ["Minimal", "minimise"]

NONDETERMINISTIC = (
    " (replaying this schedule gave a different trace: the subject depends on something "
    "the scheduler does not control, such as real time, randomness or an unmodelled primitive)"
)


@dataclass(frozen=True)
class Minimal:
    """The smallest failing record found, its verdict, and whether replaying its
    decisions gave the very same trace."""

    record: RunRecord
    verdict: Verdict
    deterministic: bool


def minimise(
    record: RunRecord,
    invariant: str,
    run_prefix: Callable[[Sequence[int]], RunRecord],
    replay: Callable[[Sequence[int]], RunRecord | None],
) -> Minimal:
    """``run_prefix(decisions)`` runs a prefix then the baseline; ``replay(decisions)``
    follows every decision (None when they no longer fit)."""
    decisions = list(record.decisions)
    best = record
    low, high = 0, len(decisions)
    while low < high:
        mid = (low + high) // 2
        attempt = run_prefix(decisions[:mid])
        if not check_all(attempt, [invariant])[0].holds:
            high = mid
            if len(attempt.decisions) <= len(best.decisions):
                best = attempt
        else:
            low = mid + 1
    verdict = check_all(best, [invariant])[0]
    again = replay(best.decisions)
    deterministic = again is not None and again.trace.render() == best.trace.render()
    if not deterministic:
        verdict = replace(
            verdict, message="NONDETERMINISTIC: " + verdict.message + NONDETERMINISTIC
        )
    return Minimal(best, verdict, deterministic)
