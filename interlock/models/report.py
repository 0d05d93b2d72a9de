"""What verifying one subject found (``SubjectReport``), and how it is held against
what the subject declares."""

from __future__ import annotations

from dataclasses import dataclass, field

from .record import RunRecord, Verdict
from .story import Story
from .subject import Subject

__all__ = ["SubjectReport"]


@dataclass
class SubjectReport:
    """Every invariant's verdict for one subject under one runtime.

    ``exact`` says the runtime's verdicts do not depend on how busy the machine
    is (the controlled scheduler's virtual clock); ``records`` holds, per broken
    invariant, the run that shows it; ``unsupported`` says why the runtime could
    not judge the subject at all (it starts processes, or blocks in a call the
    controlled scheduler does not model): then no verdict counts as a pass.
    """

    subject: Subject
    runtime: str
    verdicts: list[Verdict]
    runs: int = 0
    scenarios: int = 0
    wall_time: float = 0.0
    notes: list[str] = field(default_factory=list)
    records: dict[str, RunRecord] = field(default_factory=dict)
    exact: bool = True
    unsupported: str | None = None  # why the runtime could not judge the subject at all
    # Per broken invariant, how its record's run went step by step (a runtime that can
    # replay a schedule under observation tells it; real threads cannot).
    stories: dict[str, Story] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.unsupported is None and all(v.holds or v.advisory for v in self.verdicts)

    def status(self, verdict) -> str:
        """``pass``, ``FAIL``, ``warn``, or ``n/a`` for a subject the runtime could not judge."""
        return "n/a" if self.unsupported else verdict.status

    def broken(self) -> set[str]:
        return {v.invariant for v in self.verdicts if not v.holds}

    def surprises(self) -> list[str]:
        """Where what was found differs from what the subject declares (``BREAKS``).

        The one rule for "declared versus found", used by ``verify --expect-declared``
        and the catalogue test. Under a runtime whose verdicts are not exact (real
        threads on a real clock), a break the subject declares rare with threads may
        hold, and advisory invariants are not held against the subject either way:
        thread start-up jitter on a loaded machine reads as idle slots.
        """
        if self.unsupported:
            return [f"{self.subject.name} was not judged: {self.unsupported}"]
        declared = set(self.subject.breaks)
        broken = self.broken()
        optional: set[str] = set()
        if not self.exact:
            advisory = {v.invariant for v in self.verdicts if v.advisory}
            optional = set(self.subject.rare_with_threads) | advisory
            broken -= advisory
        name = self.subject.name
        out = [
            f"{name} broke {inv}, which it does not declare" for inv in sorted(broken - declared)
        ]
        out += [
            f"{name} declares it breaks {inv}, but it held"
            for inv in sorted(declared - broken - optional)
        ]
        return out
