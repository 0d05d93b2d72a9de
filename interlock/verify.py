"""The conductor: explore a subject's scenarios, search generated ones, minimise what broke.

For each named scenario (smallest first) and each schedule the runtime makes of
it, run the subject and check every invariant, keeping per invariant the first
violation on the smallest scenario (``stages.explore``); then let Hypothesis
look for generated scenarios that break what the named ones did not
(``stages.generate``). Where the runtime can replay a schedule, a kept
violation is cut to its shortest failing prefix, replayed to prove it is
deterministic and given a replay token (``stages.minimise``).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from .checkers import CHECKERS
from .models import Budget, RunRecord, Scenario, Settings, Subject, SubjectReport, Verdict
from .replay import ReplayToken, scenario_reference, trace_digest
from .runtime import Runtime, make_runtime
from .runtime.strategies import BASELINE
from .stages import Found, explore_scenario, generate, keep, minimise, size_key

__all__ = ["Budget", "Settings", "SubjectReport", "Verifier", "verify"]


class Verifier:
    """Verifies subjects with one set of settings. Reusable across subjects.

    ``Verifier(settings)``, or the settings as keywords:
    ``Verifier("threads", seed=3, budget=Budget(runs=10))``.
    """

    def __init__(
        self,
        runtime: str | Settings = "controlled",
        *,
        seed: int = 0,
        strategy: str = "mix",
        budget: Budget | None = None,
        time_scale: float = 0.001,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if isinstance(runtime, Settings):
            self.settings = runtime
        else:
            self.settings = Settings(
                seed=seed,
                runtime=runtime,
                strategy=strategy,
                budget=budget or Budget(),
                time_scale=time_scale,
            )
        self.runtime: Runtime = make_runtime(self.settings)
        self.budget = self.settings.budget.over(self.runtime.default_budget)
        self.progress = progress or (lambda message: None)
        self._builtin_names: set[str] | None = None

    def verify(
        self,
        subject: Subject,
        scenarios: Sequence[Scenario] | None = None,
        *,
        generate: bool | None = None,
    ) -> SubjectReport:
        """Judge one subject: on ``scenarios``, or on every named scenario plus generated
        ones. ``generate`` forces generated scenarios on or off (default: only when no
        scenarios are named)."""
        from .scenarios import builtin_scenarios

        started = time.perf_counter()
        generated = scenarios is None if generate is None else generate
        chosen = sorted(builtin_scenarios() if scenarios is None else scenarios, key=size_key)
        printed = io.StringIO()
        # The article's pattern prints; a subject's output must not garble the report.
        with self.runtime.session(), contextlib.redirect_stdout(printed):
            found, runs, notes = self._explore(subject, chosen, generated)
            verdicts, records = self._judge(subject, found, runs)
        lines = printed.getvalue().splitlines()
        if lines:
            notes.append(f"the subject printed {len(lines)} lines, e.g. {lines[0]!r}")
        notes.extend(self.runtime.notes(subject))
        return SubjectReport(
            subject,
            self.runtime.name,
            verdicts,
            runs=runs,
            scenarios=len(chosen),
            wall_time=time.perf_counter() - started,
            notes=notes,
            records=records,
            exact=self.runtime.exact,
        )

    def _explore(
        self, subject: Subject, scenarios: list[Scenario], generated: bool
    ) -> tuple[dict[str, Found], int, list[str]]:
        found: dict[str, Found] = {}
        runs = 0
        notes: list[str] = []
        coverage: list[str] = []
        for index, scenario in enumerate(scenarios, 1):
            self.progress(
                f"{subject.name}: scenario {index}/{len(scenarios)} {scenario.describe()}"
            )
            scouted = explore_scenario(
                self.runtime, subject, scenario, self.budget.runs, generated=False
            )
            keep(found, scouted.found)
            runs += scouted.runs
            if scouted.coverage is not None:
                coverage.append(f"{scenario.name}: {scouted.coverage.describe()}")
        if generated and self.budget.generated:
            self.progress(f"{subject.name}: up to {self.budget.generated} generated scenarios")
            result = generate(
                lambda scenario: explore_scenario(
                    self.runtime, subject, scenario, self.budget.generated_runs, generated=True
                ),
                self.budget,
                self.settings.seed,
            )
            runs += result.runs
            notes.extend(result.notes)
            for name, hit in result.found.items():
                found.setdefault(name, hit)
        return found, runs, notes + coverage

    def _judge(
        self, subject: Subject, found: dict[str, Found], runs: int
    ) -> tuple[list[Verdict], dict[str, RunRecord]]:
        verdicts: list[Verdict] = []
        records: dict[str, RunRecord] = {}
        for name, checker in CHECKERS.items():
            hit = found.get(name)
            if hit is None:
                verdicts.append(
                    Verdict(name, True, f"held in {runs} runs", advisory=checker.advisory)
                )
                continue
            self.progress(f"{subject.name}: minimising the {name} violation")
            verdict, record = self._finish(subject, hit)
            verdicts.append(verdict)
            records[name] = record
        return verdicts, records

    def _finish(self, subject: Subject, hit: Found) -> tuple[Verdict, RunRecord]:
        """Minimise, check and give a token to a violation, where the runtime can replay."""
        if not self.runtime.replayable:
            return replace(hit.verdict, scenario=hit.scenario.name), hit.record
        minimal = minimise(
            hit.record,
            hit.verdict.invariant,
            lambda decisions: self.runtime.replay(subject, hit.scenario, decisions, then=BASELINE),
            lambda decisions: self.replay(subject, hit.scenario, decisions),
        )
        record = minimal.record
        token = ReplayToken(
            target=subject.target,
            scenario=scenario_reference(hit.scenario, self._names()),
            runtime=self.runtime.name,
            strategy=hit.strategy or "",
            seed=hit.seed,
            decisions=tuple(record.decisions),
            digest=trace_digest(record.trace.render()),
        ).encode()
        verdict = replace(minimal.verdict, scenario=hit.scenario.name, replay=token)
        return verdict, record.with_replay(token)

    def replay(self, subject: Subject, scenario: Scenario, decisions) -> RunRecord | None:
        """The run ``decisions`` make of ``scenario``, or None when they no longer fit."""
        return self.runtime.replay(subject, scenario, decisions)

    def _names(self) -> set[str]:
        if self._builtin_names is None:
            from .scenarios import builtin_names

            self._builtin_names = set(builtin_names())
        return self._builtin_names


def verify(subject: Subject, **options) -> SubjectReport:
    """Convenience: ``Verifier(**options).verify(subject)``."""
    return Verifier(**options).verify(subject)
