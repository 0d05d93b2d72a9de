"""``terminates``: the run finishes within its budget, with no infinite loop or livelock."""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.record import SPIN, STEP_BUDGET, TIMEOUT
from ._common import at, deaths, ended_urls, keep, scenario_facts
from ._deadlock import wait_for_graph
from ._registry import invariant

__all__ = ["terminates"]

NAME = "terminates"
_HELD: dict = {}  # holding verdicts by (end, outcome, budget): see ``keep``


@invariant(
    NAME,
    column="terminates",
    order=70,
    summary="the run finishes within the scenario's time budget: no endless loop",
)
def terminates(record: RunRecord) -> Verdict:
    """Three ways not to terminate, each decided by the runtime: virtual time ran past the
    budget (busy or sleeping forever), one thread ran without ever reaching a scheduling
    point (a spin), or the schedule grew past its step budget (a livelock)."""
    budget = scenario_facts(record.scenario).time_budget
    when = record.virtual_time or record.trace.end_time()
    if record.outcome not in (TIMEOUT, SPIN, STEP_BUDGET):
        key = (when, record.outcome, budget)
        verdict = _HELD.get(key)
        if verdict is None:
            message = f"ended at t={at(when)} ({record.outcome}); budget {at(budget)}"
            verdict = keep(_HELD, key, Verdict(NAME, True, message))
        return verdict
    progress = f"{ended_urls(record.trace)} of {len(record.scenario.tasks)} downloads ended"
    if record.outcome == TIMEOUT:
        message = (
            f"did not finish within its budget of {at(budget)} virtual time: "
            f"reached t={at(when)} with {progress}"
        )
    elif record.outcome == SPIN:
        # The thread caught running (the watchdog says so in its state), not merely the
        # first one that was not waiting.
        spinner = next(
            (t for t in record.blocked if (t.waiting_on or "").startswith("running without")),
            None,
        )
        spinner = spinner or next((t for t in record.blocked if t.waiting_on is None), None)
        spinner = spinner or (record.blocked[0] if record.blocked else None)
        who = "a thread"
        if spinner is not None:
            who = spinner.name + (f" at {spinner.where}" if spinner.where else "")
        message = (
            f"infinite loop: {who} ran without reaching a scheduling point "
            f"(t={at(when)}, {record.steps} steps, {progress})"
        )
    else:  # STEP_BUDGET
        message = (
            f"livelock: {record.steps} scheduling decisions without finishing "
            f"(t={at(when)}, {progress})"
        )
    if record.diagnosis and record.diagnosis.strip():
        message += f"; {record.diagnosis.strip().splitlines()[0]}"
    return Verdict(NAME, False, message + deaths(record), evidence=wait_for_graph(record))
