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
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from .checkers import CHECKERS
from .explorer import parse_shard
from .models import (
    Budget,
    RunRecord,
    Scenario,
    Settings,
    Stop,
    Story,
    Subject,
    SubjectReport,
    Verdict,
)
from .replay import ReplayToken, scenario_reference, trace_digest
from .runtime import OutOfTime, Runtime, Trials, make_runtime
from .runtime.strategies import BASELINE
from .stages import Found, explore_scenario, generate, keep, minimise, shrink_scenario, size_key

__all__ = ["Budget", "Settings", "SubjectReport", "Verifier", "verify"]

# Schedules tried on each smaller scenario while shrinking a violation's scenario.
_SHRINK_RUNS = 40
# Real time that minimising, replaying and explaining the violations may take past the
# time budget (at least this, or this share of the budget): a run still going on then is
# cut, and the violation is shown as found.
_FINISH_SECONDS = 10.0
_FINISH_SHARE = 0.25


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
        keep_limit: bool = False,
        invariants: Sequence[str] | None = None,
        fail_fast: bool = False,
        shard: str | tuple[int, int] | None = None,
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
        # Shrinking a violation's scenario keeps its limit (a claim about that limit).
        self.keep_limit = keep_limit
        # Only these invariants are checked (default: every one); with fail_fast,
        # exploring a subject ends at its first FAIL.
        if invariants is None:
            invariants = self.settings.invariants
        self.invariants = _known_invariants(invariants)
        self.fail_fast = fail_fast or self.settings.fail_fast
        # With a shard (K, N), exploring judges only that shard's runs of each scenario;
        # shrinking and minimising what it found use every run they need.
        self.shard = parse_shard(shard) if isinstance(shard, str) or shard is None else shard
        self._scout: Runtime = (
            self.runtime if self.shard is None else _ShardRuntime(self.runtime, self.shard)
        )
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
        scenarios are named). ``subject`` may be a ``Subject``, a target string or a
        ``download_all``-shaped callable; a scenario may be given by name or path."""
        from .scenarios import builtin_scenarios, load_scenario
        from .subjects import subject_of

        subject = subject_of(subject)
        if scenarios is not None:
            scenarios = [load_scenario(s) if isinstance(s, str) else s for s in scenarios]

        started = time.perf_counter()
        generated = scenarios is None if generate is None else generate
        chosen = sorted(builtin_scenarios() if scenarios is None else scenarios, key=size_key)
        printed = io.StringIO()
        # The article's pattern prints; a subject's output must not garble the report.
        call = _Call(
            started=started,
            deadline=started + self.budget.seconds if self.budget.seconds else math.inf,
            # Scenarios the caller chose carry its claim: their limit stays when shrinking.
            keep_limit=self.keep_limit or scenarios is not None,
        )
        stories: dict[str, Story] = {}
        records: dict[str, RunRecord] = {}
        with self.runtime.session(), contextlib.redirect_stdout(printed):
            # A run still going on when the budget ends is cut there (not judged), so a
            # subject whose single run takes minutes cannot take the answer with it.
            self.runtime.set_deadline(call.deadline)
            try:
                explored = self._explore(subject, chosen, generated, call)
                if explored.timed_out and not explored.runs and not explored.unsupported:
                    # Not a run ended within the budget: "held in 0 runs" would be a
                    # pass with no evidence behind it.
                    explored.unsupported = (
                        f"no run ended within the time budget ({self.budget.seconds:g}s): "
                        "each one takes longer (raise it with --time-budget)"
                    )
                if explored.unsupported:
                    verdicts = _not_judged(explored.unsupported)
                else:
                    seconds = self.budget.seconds or 0.0
                    finish = max(_FINISH_SECONDS, _FINISH_SHARE * seconds)
                    self.runtime.set_deadline(max(call.deadline, time.perf_counter()) + finish)
                    verdicts = self._judge(
                        subject, explored.found, explored.runs, call, records, stories
                    )
            finally:
                self.runtime.set_deadline(math.inf)
        notes = explored.notes + explored.coverage
        if call.cut:
            notes.append(
                f"the time budget ran out while minimising the {', '.join(call.cut)} "
                "violation: shown as far as it was cut down (raise it with --time-budget)"
            )
        lines = printed.getvalue().splitlines()
        if lines:
            notes.append(f"the subject printed {len(lines)} lines, e.g. {lines[0]!r}")
        notes.extend(self.runtime.notes(subject))
        if self.shard is not None:
            notes.append(f"shard {self.shard[0]}/{self.shard[1]}: {_SHARE}")
        return SubjectReport(
            subject,
            self.runtime.name,
            verdicts,
            runs=explored.runs,
            scenarios=len(chosen),
            wall_time=time.perf_counter() - started,
            notes=notes,
            records=records,
            exact=self.runtime.exact,
            unsupported=explored.unsupported,
            stories=stories,
        )

    def _explore(
        self, subject: Subject, scenarios: list[Scenario], generated: bool, call: _Call
    ) -> _Explored:
        deadline = call.deadline
        explored = _Explored()
        for index, scenario in enumerate(scenarios, 1):
            if time.perf_counter() > deadline:
                explored.out_of_time(index - 1, len(scenarios), self.budget.seconds)
                return explored
            broken = sum(not f.verdict.advisory for f in explored.found.values())
            self.progress(
                f"{subject.name}: scenario {index}/{len(scenarios)} {scenario.describe()} "
                f"[{explored.runs} runs so far, {broken} broken, "
                f"{time.perf_counter() - call.started:.1f}s]"
            )
            scouted = explore_scenario(
                self._scout,
                subject,
                scenario,
                self.budget.runs,
                generated=False,
                deadline=deadline,
                invariants=self.invariants,
            )
            keep(explored.found, scouted.found)
            explored.take(scouted, scenario)
            if self.fail_fast and any(not f.verdict.advisory for f in explored.found.values()):
                explored.notes.append(
                    f"stopped at the first violation, on scenario {scenario.name} (--fail-fast)"
                )
                return explored
            if explored.unsupported or explored.spinning:
                return explored
            if scouted.out_of_time:
                explored.out_of_time(
                    index - 1, len(scenarios), self.budget.seconds, during=scenario.name
                )
                return explored
        if (
            generated
            and self.budget.generated
            and not (
                self.fail_fast and any(not f.verdict.advisory for f in explored.found.values())
            )
        ):
            self.progress(f"{subject.name}: up to {self.budget.generated} generated scenarios")

            def explore_generated(scenario: Scenario):
                scouted = explore_scenario(
                    self._scout,
                    subject,
                    scenario,
                    self.budget.generated_runs,
                    generated=True,
                    deadline=deadline,
                    invariants=self.invariants,
                )
                explored.take(scouted, scenario, named=False)
                return scouted

            result = generate(
                explore_generated,
                self.budget,
                self.settings.seed,
                stop=lambda: (
                    explored.unsupported is not None
                    or explored.spinning
                    or time.perf_counter() > deadline
                ),
            )
            explored.notes.extend(result.notes)
            for name, hit in result.found.items():
                explored.found.setdefault(name, hit)
            if time.perf_counter() > deadline and not explored.unsupported:
                explored.notes.append(
                    f"the time budget ({self.budget.seconds:g}s) ran out while searching "
                    "generated scenarios"
                )
        return explored

    def _judge(
        self,
        subject: Subject,
        found: dict[str, Found],
        runs: int,
        call: _Call,
        records: dict[str, RunRecord],
        stories: dict[str, Story],
    ) -> list[Verdict]:
        """A verdict per invariant; for each violation, its minimised record and the
        story of its run go into ``records`` and ``stories``."""
        verdicts: list[Verdict] = []
        for name, checker in CHECKERS.items():
            if self.invariants is not None and name not in self.invariants:
                continue
            hit = found.get(name)
            if hit is None:
                verdicts.append(
                    Verdict(name, True, f"held in {runs} runs", advisory=checker.advisory)
                )
                continue
            self.progress(f"{subject.name}: minimising the {name} violation")
            verdict, record = self._finish(subject, hit, call)
            verdicts.append(verdict)
            records[name] = record
            if record.replay is not None:
                try:
                    observed = self.runtime.observe(subject, record.scenario, record.decisions)
                except OutOfTime:
                    observed = None
                    if name not in call.cut:
                        call.cut.append(name)
                if observed is not None:
                    stories[name] = observed[1]
        return verdicts

    def _finish(self, subject: Subject, hit: Found, call: _Call) -> tuple[Verdict, RunRecord]:
        """Minimise, check and give a token to a violation, where the runtime can replay."""
        from .subjects import import_root

        if not self.runtime.replayable:
            return replace(hit.verdict, scenario=hit.scenario.name), hit.record
        # A run that spun cost a second of real time to detect: each shrinking step would
        # cost as much again, so it is kept as found (and only replayed).
        costly = hit.record.outcome in (Stop.SPIN, Stop.UNSUPPORTED)
        if not hit.generated and not CHECKERS[hit.verdict.invariant].advisory and not costly:
            hit = self._shrink(subject, hit, call)  # (Hypothesis has shrunk a generated one)
        minimal = minimise(
            hit.record,
            hit.verdict.invariant,
            lambda decisions: self.runtime.replay(subject, hit.scenario, decisions, then=BASELINE),
            lambda decisions: self.replay(subject, hit.scenario, decisions),
            search=not costly,
        )
        record = minimal.record
        if minimal.cut:
            call.cut.append(hit.verdict.invariant)
        token = ReplayToken(
            target=subject.target,
            scenario=scenario_reference(hit.scenario, self._names()),
            runtime=self.runtime.name,
            strategy=hit.strategy or "",
            seed=hit.seed,
            decisions=tuple(record.decisions),
            digest=trace_digest(record.trace.render()),
            root=import_root(subject.target),
        ).encode()
        verdict = replace(minimal.verdict, scenario=hit.scenario.name, replay=token)
        return verdict, record.with_replay(token)

    def _shrink(self, subject: Subject, hit: Found, call: _Call) -> Found:
        """The violation on the smallest scenario that still shows it (see
        ``stages.shrink_scenario``), found again there by exploring it."""
        invariant = hit.verdict.invariant
        runs = min(self.budget.runs, _SHRINK_RUNS)

        def breaks(candidate: Scenario) -> Found | None:
            if time.perf_counter() > call.deadline:
                return None
            scouted = explore_scenario(
                self.runtime,
                subject,
                candidate,
                runs,
                generated=False,
                deadline=call.deadline,
                invariants=[invariant],
            )
            return scouted.found.get(invariant)

        _, found = shrink_scenario(hit.scenario, breaks, keep_limit=call.keep_limit)
        return found if found is not None else hit

    def replay(self, subject: Subject, scenario: Scenario, decisions) -> RunRecord | None:
        """The run ``decisions`` make of ``scenario``, or None when they no longer fit."""
        return self.runtime.replay(subject, scenario, decisions)

    def _names(self) -> set[str]:
        if self._builtin_names is None:
            from .scenarios import builtin_names

            self._builtin_names = set(builtin_names())
        return self._builtin_names


_SHARE = (
    "of each scenario's runs, only the shard's share was judged (run i with "
    "i % N == K - 1); the N shards together judge every run of the budget, each once"
)


class _ShardRuntime:
    """The runtime ``inner`` whose ``trials`` of a scenario are one shard's share: run
    ``i`` belongs to shard ``K`` of ``N`` when ``i % N == K - 1``. On the controlled
    runtime the others' runs are not made when each run is its own seeded strategy (the
    default series); when a schedule depends on the ones before it (an exhaustive search
    walks one tree) they are made and not handed on. Runs the OS schedules are alike, so
    there the share is just a count. Everything else is ``inner``'s."""

    def __init__(self, inner: Runtime, shard: tuple[int, int]) -> None:
        self.inner = inner
        self.shard = shard

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def trials(self, subject: Subject, scenario: Scenario, runs: int, *, key: str) -> Trials:
        k, n = self.shard
        if not self.inner.replayable:
            return self.inner.trials(subject, scenario, len(range(k - 1, runs, n)), key=key)
        return self.inner.trials(subject, scenario, runs, key=key, skip=lambda i: i % n != k - 1)


@dataclass(frozen=True)
class _Call:
    """What one ``verify`` call carries through its stages."""

    started: float  # time.perf_counter() when it began
    deadline: float  # when its time budget ends (inf: none)
    keep_limit: bool  # shrinking keeps the scenario's limit
    cut: list[str] = field(default_factory=list)  # violations whose minimising time cut


class _Explored:
    """What exploring one subject found so far, and why it stopped early if it did."""

    # Runs that spin (each costs the engine's spin limit in real time) a subject may
    # have before exploring it stops: the verdict is known, more would only cost time.
    SPINS = 2

    def __init__(self) -> None:
        self.found: dict[str, Found] = {}
        self.runs = 0
        self.notes: list[str] = []
        self.coverage: list[str] = []
        self.unsupported: str | None = None
        self.spins = 0
        self.timed_out = False  # the time budget ended the exploration

    @property
    def spinning(self) -> bool:
        return self.spins >= self.SPINS

    def take(self, scouted, scenario: Scenario, *, named: bool = True) -> None:
        self.runs += scouted.runs
        if named and scouted.coverage is not None:
            self.coverage.append(f"{scenario.name}: {scouted.coverage.describe()}")
        if scouted.ended_by == Stop.UNSUPPORTED and self.unsupported is None:
            detail = (scouted.detail or "").removeprefix("Not modelled: ").rstrip(".")
            self.unsupported = detail or "the run used something the runtime does not model"
        elif scouted.ended_by == Stop.SPIN:
            self.spins += 1
            if self.spinning:
                self.notes.append(
                    f"stopped exploring after {self.spins} runs that spun (each costs a second "
                    f"of real time to detect), the last on scenario {scenario.name}"
                )

    def out_of_time(
        self, done: int, total: int, seconds: float | None, during: str | None = None
    ) -> None:
        """The budget ended after ``done`` named scenarios, or while exploring the next,
        ``during``."""
        partly = f", while exploring {during}" if during else ""
        self.timed_out = True
        self.notes.append(
            f"the time budget ({seconds:g}s) ran out after {done} of {total} named scenarios"
            f"{partly} ({self.runs} runs): the rest, and generated scenarios, were not "
            "explored (raise it with --time-budget)"
        )


def _known_invariants(names: Sequence[str] | None) -> list[str] | None:
    """The invariants asked for, each one known (a misspelt one is refused, with the
    closest known name)."""
    if names is None:
        return None
    import difflib

    from .models import InvalidSetting

    chosen = []
    for name in names:
        if name not in CHECKERS:
            close = difflib.get_close_matches(name, list(CHECKERS), n=1)
            hint = f": did you mean {close[0]!r}?" if close else f" ({', '.join(CHECKERS)})"
            msg = f"unknown invariant {name!r}{hint}"
            raise InvalidSetting(msg)
        if name not in chosen:
            chosen.append(name)
    return chosen


def _not_judged(reason: str) -> list[Verdict]:
    return [
        Verdict(name, True, f"not judged: {reason}", advisory=checker.advisory)
        for name, checker in CHECKERS.items()
    ]


def verify(subject: Subject, **options) -> SubjectReport:
    """Convenience: ``Verifier(**options).verify(subject)``."""
    return Verifier(**options).verify(subject)
