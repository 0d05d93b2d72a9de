"""``no_deadlock``: the run never reaches a state where no thread can ever run again."""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.record import DEADLOCK, OUTCOMES
from ._common import at, deaths, ended_urls, plural
from ._registry import invariant

__all__ = ["no_deadlock", "wait_for_graph"]

NAME = "no_deadlock"
# The common verdicts, one per way a run ends, made once: a verdict is immutable, so
# every run can share them.
_ENDED = {
    outcome: Verdict(NAME, True, f"no deadlock (the run ended: {outcome})")
    for outcome in OUTCOMES
    if outcome != DEADLOCK
}


@invariant(
    NAME, column="deadlock", order=50, summary="the run never deadlocks before download_all returns"
)
def no_deadlock(record: RunRecord) -> Verdict:
    """The runtime decides deadlock exactly (no runnable thread, no pending timer); this
    checker turns its record into a one-line reason and the wait-for graph."""
    if record.outcome != DEADLOCK:
        holds = _ENDED.get(record.outcome)
        return holds or Verdict(NAME, True, f"no deadlock (the run ended: {record.outcome})")
    ended = ended_urls(record.trace)
    total = len(record.scenario.tasks)
    when = record.virtual_time or record.trace.end_time()
    reason = _first_line(record.diagnosis).removeprefix("Deadlock: ") or _blocked_summary(record)
    message = f"deadlock at t={at(when)} with {ended} of {total} downloads ended: {reason}"
    return Verdict(NAME, False, message + deaths(record), evidence=wait_for_graph(record))


def wait_for_graph(record: RunRecord) -> tuple[str, ...]:
    """Each blocked thread, what it waits on and where, then the runtime's diagnosis."""
    alive = [t for t in record.blocked if t.alive]
    lines = [f"wait-for graph ({plural(len(alive), 'thread')} blocked):"]
    lines += [f"  {t.describe()}" for t in alive]
    ended = [t.name for t in record.blocked if not t.alive]
    if ended:
        lines.append(f"  (ended: {', '.join(ended)})")
    if record.diagnosis:
        lines += [f"diagnosis: {line}" for line in record.diagnosis.splitlines() if line.strip()]
    return tuple(lines)


def _first_line(text: str | None) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


def _blocked_summary(record: RunRecord) -> str:
    if not record.blocked:
        return "no thread can run (the runtime named none)"
    shown = "; ".join(t.describe() for t in record.blocked[:4])
    more = f"; and {len(record.blocked) - 4} more" if len(record.blocked) > 4 else ""
    return f"{shown}{more}"
