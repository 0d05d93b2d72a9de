"""Orchestration: run a subject on scenarios and schedules, check, keep the smallest evidence.

For each scenario (the named ones, then ones Hypothesis generates) and each
schedule (chosen by a strategy), run the subject, check every invariant, and
keep, per invariant, the first violation on the smallest scenario. Under the
controlled runtime a kept violation is then made minimal (its schedule cut to
the shortest prefix that still shows it), replayed to prove it is
deterministic, and given a replay token.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from .checkers import CHECKERS, check_all
from .errors import InterlockError
from .models import RunRecord, Scenario, Verdict
from .replay import ReplayToken, scenario_reference, trace_digest
from .subjects import Subject

__all__ = ["Budget", "SubjectReport", "Verifier", "verify"]

RUNTIMES = ("controlled", "threads")


@dataclass(frozen=True)
class Budget:
    """How much exploring ``verify`` does. ``None`` means the runtime's default."""

    runs: int | None = None  # schedules per named scenario (threads: repetitions)
    generated: int | None = None  # generated scenarios Hypothesis may try
    generated_runs: int | None = None  # schedules per generated scenario
    shrink_calls: int = 200  # cap on runs spent shrinking one generated counterexample

    def resolved(self, runtime: str) -> Budget:
        if runtime == "threads":
            defaults = Budget(runs=2, generated=12, generated_runs=1, shrink_calls=30)
        else:
            defaults = Budget(
                runs=150, generated=80, generated_runs=25, shrink_calls=self.shrink_calls
            )
        return Budget(
            runs=self.runs if self.runs is not None else defaults.runs,
            generated=self.generated if self.generated is not None else defaults.generated,
            generated_runs=(
                self.generated_runs if self.generated_runs is not None else defaults.generated_runs
            ),
            shrink_calls=defaults.shrink_calls,
        )


@dataclass
class Found:
    """A violation as first seen, with what it takes to run it again."""

    verdict: Verdict
    record: RunRecord
    scenario: Scenario
    strategy: str
    seed: int
    generated: bool


@dataclass
class SubjectReport:
    subject: Subject
    runtime: str
    verdicts: list[Verdict]
    runs: int = 0
    scenarios: int = 0
    wall_time: float = 0.0
    notes: list[str] = field(default_factory=list)
    records: dict[str, RunRecord] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(v.holds or v.advisory for v in self.verdicts)

    def broken(self) -> set[str]:
        return {v.invariant for v in self.verdicts if not v.holds}


def _derive_seed(*parts: object) -> int:
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


def _size_key(scenario: Scenario) -> tuple[int, int, str]:
    return (len(scenario.tasks), scenario.limit, scenario.name)


class Verifier:
    """Runs subjects under one runtime with one budget. Reusable across subjects."""

    def __init__(
        self,
        runtime: str = "controlled",
        *,
        seed: int = 0,
        strategy: str = "mix",
        budget: Budget | None = None,
        time_scale: float = 0.001,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        if runtime not in RUNTIMES:
            msg = f"unknown runtime {runtime!r} (choose {' or '.join(RUNTIMES)})"
            raise InterlockError(msg)
        self.runtime_name = runtime
        self.seed = seed
        self.strategy = strategy
        self.budget = (budget or Budget()).resolved(runtime)
        self.progress = progress or (lambda message: None)
        if runtime == "threads":
            from .runtime.threads import ThreadsRuntime

            self.runtime = ThreadsRuntime(scale=time_scale)
        else:
            from .runtime.controlled import ControlledRuntime

            self.runtime = ControlledRuntime()
            self._check_strategy_spec(strategy)
        self._builtin_names: set[str] | None = None
        self._search_notes: list[str] = []  # what exhaustive search covered, per scenario

    # -- strategies -------------------------------------------------------

    def _check_strategy_spec(self, spec: str) -> None:
        if spec != "mix":
            from .runtime.strategies import make_strategy

            try:
                make_strategy(spec, 0)
            except ValueError as exc:
                raise InterlockError(str(exc)) from None

    def _strategies(self, scenario_key: str, runs: int) -> Iterable[tuple[str, int, object]]:
        """(spec, seed, strategy) for each run; exhaustive search is one strategy reused."""
        from .runtime.strategies import make_strategy

        if self.runtime_name == "threads":
            for i in range(runs):
                yield "threads", _derive_seed(self.seed, scenario_key, i), None
            return
        if self.strategy.startswith("exhaustive"):
            strategy = make_strategy(self.strategy, self.seed)
            for _ in range(runs):
                if not strategy.new_execution():
                    return
                yield self.strategy, self.seed, strategy
            return
        # First a baseline: no preemption, and time passes only when no thread can run,
        # the schedule an idle machine would most likely give. Then the strategy's own.
        yield "baseline", 0, _PrefixStrategy([])
        for i in range(runs - 1):
            spec = self.strategy
            if spec == "mix":  # PCT finds ordering bugs of small depth; random covers the rest
                spec = "pct" if i % 2 else "random"
            run_seed = _derive_seed(self.seed, scenario_key, i)
            strategy = make_strategy(spec, run_seed)
            strategy.new_execution()
            yield spec, run_seed, strategy

    # -- running ----------------------------------------------------------

    def run(self, subject: Subject, scenario: Scenario, strategy=None) -> RunRecord:
        return self.runtime.run(subject, scenario, strategy)

    def _explore(
        self,
        subject: Subject,
        scenario: Scenario,
        runs: int,
        found: dict[str, Found],
        *,
        generated: bool,
    ) -> int:
        """Run ``runs`` schedules of one scenario; record first violations. Returns runs done."""
        done = 0
        seen_here: set[str] = set()
        strategy = None
        for spec, run_seed, strategy in self._strategies(_scenario_key(scenario), runs):
            record = self.run(subject, scenario, strategy)
            done += 1
            for verdict in check_all(record):
                if verdict.holds or verdict.invariant in seen_here:
                    continue
                seen_here.add(verdict.invariant)
                best = found.get(verdict.invariant)
                if (
                    best is None
                    or (best.generated and not generated)
                    or (
                        best.generated == generated
                        and _size_key(scenario) < _size_key(best.scenario)
                    )
                ):
                    found[verdict.invariant] = Found(
                        verdict, record, scenario, spec, run_seed, generated
                    )
            if len(seen_here) == len(CHECKERS):
                break
        if hasattr(strategy, "complete") and not generated:
            if strategy.complete:
                what = f"explored all {strategy.explored} schedules"
            else:
                what = f"stopped after {strategy.explored} schedules (raise --runs to go on)"
            self._search_notes.append(f"{scenario.name}: {what} of {strategy.describe()}")
        return done

    def verify(
        self,
        subject: Subject,
        scenarios: list[Scenario] | None = None,
        *,
        generate: bool | None = None,
    ) -> SubjectReport:
        """Judge one subject. ``scenarios=None`` means every named one plus generated ones."""
        from .scenarios import builtin_scenarios

        started = time.perf_counter()
        if generate is None:
            generate = scenarios is None
        if scenarios is None:
            scenarios = builtin_scenarios()
        scenarios = sorted(scenarios, key=_size_key)
        printed = io.StringIO()
        # The article's pattern prints; a subject's output must not garble the report.
        with self._session(), contextlib.redirect_stdout(printed):
            report = self._verify(subject, scenarios, generate, started)
        lines = printed.getvalue().splitlines()
        if lines:
            report.notes.append(f"the subject printed {len(lines)} lines, e.g. {lines[0]!r}")
        if self.runtime_name == "controlled":
            from .runtime.controlled._locals import shared_locals_note

            note = shared_locals_note(subject.download_all)
            if note:
                report.notes.append(note)
        return report

    def _session(self):
        """Under the controlled runtime, keep the patches installed for a whole subject."""
        session = getattr(self.runtime, "session", None)
        return session() if session is not None else contextlib.nullcontext()

    def _verify(
        self, subject: Subject, scenarios: list[Scenario], generate: bool, started: float
    ) -> SubjectReport:
        found: dict[str, Found] = {}
        runs = 0
        notes: list[str] = []
        for index, scenario in enumerate(scenarios, 1):
            self.progress(
                f"{subject.name}: scenario {index}/{len(scenarios)} {scenario.describe()}"
            )
            runs += self._explore(
                subject, scenario, self._runs_for(scenario), found, generated=False
            )
        if generate and self.budget.generated:
            self.progress(f"{subject.name}: up to {self.budget.generated} generated scenarios")
            runs += self._generate(subject, found, notes)
        notes.extend(self._search_notes)
        self._search_notes.clear()
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
        return SubjectReport(
            subject,
            self.runtime_name,
            verdicts,
            runs=runs,
            scenarios=len(scenarios),
            wall_time=time.perf_counter() - started,
            notes=notes,
            records=records,
        )

    def _runs_for(self, scenario: Scenario) -> int:
        runs = self.budget.runs
        if self.runtime_name == "controlled" and len(scenario.tasks) > 50:
            # Big scenarios cost in proportion to their size; keep a handful of schedules.
            runs = min(runs, max(3, runs * 25 // len(scenario.tasks)))
        return runs

    # -- generated scenarios (Hypothesis) ----------------------------------

    def _generate(self, subject: Subject, found: dict[str, Found], notes: list[str]) -> int:
        """Hypothesis looks for a scenario breaking an invariant not yet broken by a generated
        one, and shrinks it; repeated until a search finds nothing new."""
        import random

        from hypothesis import HealthCheck, Phase, find, settings
        from hypothesis.errors import NoSuchExample

        from .scenarios.strategies import scenarios as scenario_strategy

        runs_per_scenario = self.budget.generated_runs
        total_runs = 0
        covered: set[str] = set()  # invariants a generated scenario already broke
        for round_ in range(len(CHECKERS)):
            counter = {"runs": 0, "calls": 0}
            limit_calls = self.budget.generated + self.budget.shrink_calls

            def violates(scenario: Scenario, counter=counter, limit_calls=limit_calls) -> bool:
                counter["calls"] += 1
                if counter["calls"] > limit_calls:
                    return False  # out of budget: keep the smallest counterexample so far
                local: dict[str, Found] = {}
                counter["runs"] += self._explore(
                    subject, scenario, runs_per_scenario, local, generated=True
                )
                return any(
                    not f.verdict.advisory and name not in covered for name, f in local.items()
                )

            try:
                minimal = find(
                    scenario_strategy(),
                    violates,
                    settings=settings(
                        max_examples=self.budget.generated,
                        database=None,
                        deadline=None,
                        phases=[Phase.generate, Phase.shrink],
                        suppress_health_check=list(HealthCheck),
                    ),
                    random=random.Random(_derive_seed(self.seed, "generate", round_)),
                )
            except NoSuchExample:
                total_runs += counter["runs"]
                break
            total_runs += counter["runs"]
            local: dict[str, Found] = {}
            total_runs += self._explore(subject, minimal, runs_per_scenario, local, generated=True)
            new = sorted(n for n, f in local.items() if not f.verdict.advisory and n not in covered)
            if not new:
                break
            notes.append(
                f"smallest generated scenario breaking {', '.join(new)}: {minimal.describe()}"
            )
            covered.update(local)
            for name, hit in local.items():
                if name not in found:
                    found[name] = hit
        if not covered:
            notes.append(f"{self.budget.generated} generated scenarios: no violation")
        return total_runs

    # -- making a violation minimal, checked and replayable ---------------

    def _finish(self, subject: Subject, hit: Found) -> tuple[Verdict, RunRecord]:
        record = hit.record
        if self.runtime_name == "threads":
            verdict = replace(hit.verdict, scenario=hit.scenario.name)
            return verdict, record
        record = self._shrink_schedule(subject, hit)
        verdict = next(v for v in check_all(record, [hit.verdict.invariant]))
        token = ReplayToken(
            target=subject.target,
            scenario=scenario_reference(hit.scenario, self._names()),
            runtime=self.runtime_name,
            strategy=hit.strategy,
            seed=hit.seed,
            decisions=tuple(record.decisions),
            digest=trace_digest(record.trace.render()),
        ).encode()
        again = self.replay(subject, hit.scenario, record.decisions)
        if again is None or again.trace.render() != record.trace.render():
            verdict = replace(
                verdict,
                message=(
                    "NONDETERMINISTIC: " + verdict.message + " (replaying this schedule gave a "
                    "different trace: the subject depends on something the scheduler does not "
                    "control, such as real time, randomness or an unmodelled primitive)"
                ),
            )
        verdict = replace(verdict, scenario=hit.scenario.name, replay=token)
        return verdict, record.with_replay(token)

    def replay(self, subject: Subject, scenario: Scenario, decisions) -> RunRecord | None:
        from .runtime.strategies import NondeterministicProgram, ReplayStrategy

        strategy = ReplayStrategy(list(decisions))
        strategy.new_execution()
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                return self.run(subject, scenario, strategy)
        except NondeterministicProgram:
            return None

    def _shrink_schedule(self, subject: Subject, hit: Found) -> RunRecord:
        """Shortest prefix of the decisions that, continued without preemption, still fails."""
        decisions = list(hit.record.decisions)
        name = hit.verdict.invariant
        best = hit.record

        def attempt(k: int) -> RunRecord | None:
            strategy = _PrefixStrategy(decisions[:k])
            record = self.run(subject, hit.scenario, strategy)
            verdict = check_all(record, [name])[0]
            return None if verdict.holds else record

        low, high = 0, len(decisions)
        while low < high:
            mid = (low + high) // 2
            record = attempt(mid)
            if record is not None:
                high = mid
                if len(record.decisions) <= len(best.decisions):
                    best = record
            else:
                low = mid + 1
        return best

    def _names(self) -> set[str]:
        if self._builtin_names is None:
            from .scenarios import builtin_names

            self._builtin_names = set(builtin_names())
        return self._builtin_names


class _PrefixStrategy:
    """Follows a recorded prefix, then never preempts: keeps the current thread
    running, else the lowest-numbered thread, and lets time pass only when no
    thread can run. Used to cut a failing schedule down to what matters."""

    name = "prefix"

    def __init__(self, prefix: list[int]) -> None:
        self.prefix = prefix
        self.index = 0

    def new_execution(self) -> bool:
        self.index = 0
        return True

    def next_thread(self, runnable, current):
        i = self.index
        self.index += 1
        if i < len(self.prefix) and self.prefix[i] in runnable:
            return self.prefix[i]
        if current is not None and current in runnable:
            return current
        threads = [t for t in runnable if t != 0]
        return threads[0] if threads else runnable[0]

    def describe(self) -> str:
        return f"prefix({len(self.prefix)})"


def _scenario_key(scenario: Scenario) -> str:
    return f"{scenario.name}/{len(scenario.tasks)}/{scenario.limit}"


def verify(subject: Subject, **options) -> SubjectReport:
    """Convenience: ``Verifier(**options).verify(subject)``."""
    return Verifier(**options).verify(subject)
