"""``interlock demo [SUBJECT]``: one screen that shows, beyond argument, how a pattern breaks.

For the article (the default subject, ``article_queue``): the claim ("never
more than 4 downloads in flight at once"), the smallest scenario that can break
it with the limit kept at the article's 4 (5 URLs), the run drawn with 5 in
flight, where every thread was at that moment and why, and the replay token.
Then the fix beside the bug: the same scenario searched exhaustively on the
subject's declared fix (``FIXED_BY``, ``article_semaphore`` for the article),
with the bound of the search and whether it finished. The search is the
``dpor`` strategy's: one schedule per order of the steps that depend on each
other, so the orders of independent steps (two threads taking two different
locks) are not each run again; downloads starting (or ending) commute when the
claim is about the number in flight.

Any subject with a declared break works the same way: its first declared break
is shown. For a broken limit the scenario is ``limit + 1`` equal downloads at
the pinned limit (``--limit``, default 4): a claim about a limit is shown at a
limit a reader would use, not at limit 1, where some patterns break for other
reasons (the article's ``Queue(0)`` is unbounded).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass

from .models import Budget, InvalidSetting, Scenario, Settings, Subject, SubjectReport, TaskSpec
from .reports import explain_of, iter_violations, render
from .verify import Verifier

__all__ = ["Proof", "demo", "prove"]

DEFAULT_SUBJECT = "article_queue"


@dataclass(frozen=True)
class Proof:
    """What a bounded exhaustive search of one scenario found on one subject."""

    subject: str
    scenario: Scenario
    invariant: str
    bound: int
    schedules: int
    complete: bool
    worst: int  # the most downloads in flight seen in any schedule
    broken: str | None  # the first violation's message, if any schedule broke the invariant
    seconds: float

    def describe(self) -> str:
        if self.bound == 0:
            space = "without a preemption"
        else:
            space = f"with up to {self.bound} preemption{'s' if self.bound != 1 else ''}"
        space += " (each order of dependent steps once)"
        if self.broken:
            return f"{self.subject}: a schedule {space} breaks {self.invariant}: {self.broken}"
        if self.invariant == "max_in_flight":
            held = f"never more than {self.scenario.limit} in flight (at most {self.worst} seen)"
        else:
            held = f"{self.invariant} always held"
        if self.complete:
            return (
                f"{self.subject}: explored all {self.schedules} schedules {space} "
                f"of {self.scenario.describe()}: {held}"
            )
        return (
            f"{self.subject}: explored {self.schedules} schedules {space} of "
            f"{self.scenario.describe()} in {self.seconds:.0f} s: {held}; the search did not "
            f"finish in its time budget, so this is no proof beyond those schedules"
        )


def demo_scenario(subject: Subject, invariant: str, limit: int) -> Scenario | None:
    """The scenario a claim is shown on: for a limit, ``limit + 1`` equal downloads."""
    if invariant != "max_in_flight":
        return None
    tasks = tuple(TaskSpec(f"u{i}", 1.0) for i in range(limit + 1))
    return Scenario(f"{limit + 1}_at_limit_{limit}", tasks, limit)


def find(subject: Subject, limit: int, seed: int) -> tuple[SubjectReport, dict]:
    """The subject's first declared break, found and minimised; its violation view."""
    if not subject.breaks:
        msg = f"{subject.name} declares no break (BREAKS): there is nothing to demonstrate"
        raise InvalidSetting(msg)
    invariant = next(iter(subject.breaks))
    verifier = Verifier(Settings(seed=seed, budget=Budget(runs=300, generated=12)), keep_limit=True)
    pinned = demo_scenario(subject, invariant, limit)
    # At the pinned limit first; a subject that breaks the limit only at another one
    # (Queue(limit - 2) at limit <= 2) is shown where it breaks.
    for scenarios in ([pinned], None) if pinned is not None else (None,):
        report = verifier.verify(subject, scenarios, generate=scenarios is None)
        for view in iter_violations([report]):
            if view["invariant"] == invariant:
                return report, view
    msg = f"{subject.name} declares it breaks {invariant}, but no run showed it"
    raise InvalidSetting(msg)


def prove(
    subject: Subject,
    scenario: Scenario,
    invariant: str,
    *,
    bound: int = 0,
    seconds: float = 60.0,
    progress=None,
) -> Proof:
    """Run every schedule of ``scenario`` with at most ``bound`` preemptions, up to
    reordering of independent steps (until ``seconds`` run out), and check
    ``invariant`` on each."""
    from .checkers import check_all
    from .runtime.controlled import ControlledRuntime
    from .runtime.strategies import DporStrategy

    runtime = ControlledRuntime()
    commute = invariant == "max_in_flight"  # only the number in flight is judged
    strategy = DporStrategy(preemption_bound=bound, downloads_commute=commute)
    started = time.perf_counter()
    worst = 0
    broken = None
    with runtime.session():
        while strategy.new_execution():
            record = runtime.run(subject, scenario, strategy)
            worst = max(worst, record.trace.max_in_flight().count if record.trace.events else 0)
            verdict = check_all(record, [invariant])[0]
            if not verdict.holds:
                broken = verdict.message
                break
            elapsed = time.perf_counter() - started
            if progress is not None:
                progress(strategy.explored, elapsed, seconds)
            if elapsed > seconds:
                break
    return Proof(
        subject.name,
        scenario,
        invariant,
        bound,
        strategy.explored,
        strategy.complete,
        worst,
        broken,
        time.perf_counter() - started,
    )


def demo(
    subject: Subject,
    *,
    fix: Subject | None,
    chosen: str = "demo",
    limit: int = 4,
    seed: int = 0,
    bound: int = 0,
    seconds: float = 60.0,
    explain: bool = False,
    color: bool = False,
    progress=None,
) -> str:
    report, view = find(subject, limit, seed)
    if chosen != "demo":
        return render(chosen, [_only(report, view["invariant"])], color=color)
    lines = [explain_of(view, steps=explain, color=color)]
    if fix is not None:
        scenario = report.records[view["invariant"]].scenario
        proof = prove(
            fix, scenario, view["invariant"], bound=bound, seconds=seconds, progress=progress
        )
        lines += ["", "the fix beside the bug, on the same scenario:", f"  {proof.describe()}"]
    return "\n".join(lines)


def _only(report: SubjectReport, invariant: str) -> SubjectReport:
    """The report cut to the one violation the demo shows."""
    from dataclasses import replace

    verdicts = [v for v in report.verdicts if v.invariant == invariant]
    return replace(
        report,
        verdicts=verdicts,
        records={invariant: report.records[invariant]},
        stories={k: v for k, v in report.stories.items() if k == invariant},
    )


def bar(done: int, elapsed: float, seconds: float, *, width: int = 30) -> str:
    """A progress line: schedules done, elapsed time and a bar of the time budget."""
    filled = min(width, int(width * elapsed / seconds)) if seconds else width
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done} schedules, {elapsed:4.1f}s"


def terminal_progress():
    """A progress callback drawing on stderr when it is a terminal (else None)."""
    if not sys.stderr.isatty():
        return None
    last = [0.0]

    def show(done: int, elapsed: float, seconds: float) -> None:
        if elapsed - last[0] >= 0.2:
            last[0] = elapsed
            print(bar(done, elapsed, seconds), end="", file=sys.stderr, flush=True)

    return show
