"""pytest integration: the ``interlock`` fixture, marker, options and ini keys.

Each setting exists three ways, with one help text: a command-line option, an
ini key, and a keyword of the ``@pytest.mark.interlock(...)`` marker. The
marker wins over the command line, which wins over the ini file. A bad value
names where it came from: ``Invalid interlock seed 'x' from marker``.

    def test_my_pool_keeps_its_limit(interlock):
        interlock.assert_holds(my_module.download_all, "max_in_flight", "no_deadlock")

    @pytest.mark.interlock(runs=500, seed=3)
    def test_the_article_breaks_its_limit(interlock):
        verdict = interlock.assert_breaks("article_queue", "max_in_flight", scenarios=["tiny"])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from .errors import InterlockError
from .models import Budget, Scenario, Settings, Subject, SubjectReport, Verdict
from .runtime import runtime_names
from .subjects import subject_of
from .verify import Verifier

__all__ = ["InterlockFixture"]

SEED_HELP = "seed for interlock's schedules and generated scenarios (default 0)"
RUNS_HELP = "schedules interlock tries per scenario (default: the runtime's own)"
RUNTIME_HELP = "interlock runtime: controlled (default) or threads"
GENERATED_HELP = (
    "generated scenarios interlock tries when none are named (default: the runtime's own)"
)

STRATEGY_HELP = "how the controlled scheduler chooses schedules (default mix)"
GRANULARITY_HELP = "explore: where threads may switch, sync (default) or line"
TIME_BUDGET_HELP = "real seconds one verification or exploration may take"
SHARD_HELP = (
    "K/N: judge only this shard's share of the runs (a CI matrix or xdist workers: N "
    "shards together cover the budget, each run once)"
)
REPLAY_HELP = (
    "explore: run this replay token's schedule instead of exploring (a token of another "
    "function is refused, naming the one it belongs to)"
)

_SETTINGS = {
    # name: (help, parse)
    "seed": (SEED_HELP, "int"),
    "runs": (RUNS_HELP, "positive"),
    "runtime": (RUNTIME_HELP, "runtime"),
    "generated": (GENERATED_HELP, "count"),
    "strategy": (STRATEGY_HELP, "strategy"),
    "granularity": (GRANULARITY_HELP, "granularity"),
    "time_budget": (TIME_BUDGET_HELP, "seconds"),
    "shard": (SHARD_HELP, "shard"),
    "replay": (REPLAY_HELP, "token"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("interlock", "concurrency verification with interlock")
    for name, (help_text, _) in _SETTINGS.items():
        group.addoption(
            f"--interlock-{name.replace('_', '-')}",
            dest=f"interlock_{name}",
            default=None,
            help=help_text,
        )
        parser.addini(f"interlock_{name}", help_text, default=None)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "interlock(seed=None, runs=None, runtime=None, generated=None, strategy=None, "
        "granularity=None, time_budget=None, shard=None, replay=None): settings for the "
        "interlock fixture",
    )
    # Validate command line and ini now, so a bad value fails the session once.
    settings = _settings_from_config(config)
    if settings["replay"] is not None:  # interlock.assert_explores_ok replays it too
        from .explorer import replay_in_session

        replay_in_session(settings["replay"])


def pytest_unconfigure(config: pytest.Config) -> None:
    from .explorer import replay_in_session

    replay_in_session(None)


def pytest_report_header(config: pytest.Config) -> str:
    s = _settings_from_config(config)
    runs = s["runs"] if s["runs"] is not None else "default"
    shard = f", shard={s['shard'][0]}/{s['shard'][1]}" if s["shard"] else ""
    return f"interlock: runtime={s['runtime']}, seed={s['seed']}, runs={runs}{shard}"


def _parse(name: str, value: object, source: str):
    kind = _SETTINGS[name][1]
    if value is None:
        return None
    if kind == "runtime":
        if value not in runtime_names():
            raise pytest.UsageError(f"Invalid interlock runtime {value!r} from {source}")
        return value
    if kind == "strategy":
        from .runtime.strategies import make_strategy

        try:
            make_strategy(str(value), 0)
        except InterlockError as exc:
            raise pytest.UsageError(
                f"Invalid interlock strategy {value!r} from {source}: {exc}"
            ) from None
        return str(value)
    if kind == "granularity":
        from .explorer import GRANULARITIES

        if value not in GRANULARITIES:
            raise pytest.UsageError(f"Invalid interlock granularity {value!r} from {source}")
        return value
    if kind in ("shard", "token"):
        return _parse_text(name, value, source)
    if kind == "seconds":
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            raise pytest.UsageError(f"Invalid interlock {name} {value!r} from {source}") from None
        if not seconds > 0:
            raise pytest.UsageError(f"Invalid interlock {name} {value!r} from {source}")
        return seconds
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"Invalid interlock {name} {value!r} from {source}") from None
    if kind == "positive" and number < 1 or kind == "count" and number < 0:
        raise pytest.UsageError(f"Invalid interlock {name} {value!r} from {source}")
    return number


def _parse_text(name: str, value: object, source: str):
    """A shard ``K/N`` as (K, N), or a replay token as a ``ReplayToken``."""
    from .explorer import parse_shard
    from .replay import ReplayToken

    try:
        return parse_shard(str(value)) if name == "shard" else ReplayToken.decode(str(value))
    except InterlockError as exc:
        raise pytest.UsageError(f"Invalid interlock {name} from {source}: {exc}") from None


def _settings_from_config(config: pytest.Config) -> dict:
    settings = {
        "seed": 0,
        "runs": None,
        "runtime": "controlled",
        "generated": None,
        "strategy": None,
        "granularity": None,
        "time_budget": None,
        "shard": None,
        "replay": None,
    }
    for name in _SETTINGS:
        ini = config.getini(f"interlock_{name}")
        if ini:
            settings[name] = _parse(name, ini, "ini file")
        option = config.getoption(f"interlock_{name}")
        if option is not None:
            settings[name] = _parse(name, option, "command line")
    return settings


@dataclass
class InterlockFixture:
    """What the ``interlock`` fixture hands a test."""

    seed: int
    runs: int | None
    runtime: str
    generated: int | None
    strategy: str | None = None
    granularity: str | None = None
    time_budget: float | None = None
    shard: tuple[int, int] | None = None
    replay: object = None  # a ReplayToken: explore runs its schedule instead
    node: str = ""  # the test, as pytest takes it from the invocation directory

    @property
    def settings(self) -> Settings:
        budget = Budget(runs=self.runs, generated=self.generated, seconds=self.time_budget)
        return Settings(
            seed=self.seed, runtime=self.runtime, strategy=self.strategy or "mix", budget=budget
        )

    def explore(self, fn: Callable, *args, **kwargs):
        """``interlock.explore(fn, *args, **kwargs)`` with this test's settings (seed,
        runs, strategy, granularity, time budget, shard, replay); keywords given here win.
        A replay token of another function is refused, naming the one it is of."""
        from .explorer import explore

        options = {
            "seed": self.seed,
            "runs": self.runs or 500,
            "strategy": self.strategy or "mix",
            "granularity": self.granularity or "sync",
            "time_budget": self.time_budget or 30.0,
            "shard": self.shard,
            "replay": self.replay,
            "node": self.node,
        }
        options.update(kwargs)
        try:
            return explore(fn, *args, **options)
        except InterlockError as exc:  # a bad setting, a token of another function
            refused = f"interlock: {exc}"
        pytest.fail(refused, pytrace=False)

    def assert_explores_ok(self, fn: Callable, *args, **kwargs) -> None:
        """Fail the test with the report and replay token when a schedule of ``fn`` fails."""
        result = self.explore(fn, *args, **kwargs)
        if not result.ok or result.stale is not None:
            pytest.fail(result.report(), pytrace=False)

    def verifier(self) -> Verifier:
        return Verifier(self.settings, shard=self.shard)

    def verify(
        self, target: str | Callable, scenarios: Sequence[str | Scenario] | None = None
    ) -> SubjectReport:
        """Judge ``target`` (a built-in name, a module:function string, or a function)."""
        subject = _subject(target)
        chosen = None if scenarios is None else [_scenario(s) for s in scenarios]
        return self.verifier().verify(subject, chosen)

    def assert_holds(self, target, *invariants: str, scenarios=None) -> SubjectReport:
        """Fail the test, with evidence and replay commands, if any named (default: every
        non-advisory) invariant is broken."""
        report = self.verify(target, scenarios)
        _check_names(report, invariants)
        wanted = set(invariants) or {v.invariant for v in report.verdicts if not v.advisory}
        broken = [v for v in report.verdicts if v.invariant in wanted and not v.holds]
        if broken:
            pytest.fail(_explain(report, broken), pytrace=False)
        return report

    def assert_breaks(self, target, invariant: str, scenarios=None) -> Verdict:
        """Fail the test unless ``invariant`` is broken; return the violation."""
        report = self.verify(target, scenarios)
        _check_names(report, (invariant,))
        verdict = next(v for v in report.verdicts if v.invariant == invariant)
        if verdict.holds:
            pytest.fail(
                f"{report.subject.name}: expected {invariant} to break, but it {verdict.message}",
                pytrace=False,
            )
        return verdict


def _check_names(report: SubjectReport, names) -> None:
    known = {v.invariant for v in report.verdicts}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise pytest.UsageError(f"unknown invariant(s) {unknown}; known: {sorted(known)}")


def _subject(target) -> Subject:
    try:
        if isinstance(target, str) or callable(target):
            # The module's metadata (BREAKS, PROMISES...) counts as it does for verify.
            return subject_of(target)
    except InterlockError as exc:
        raise pytest.UsageError(str(exc)) from None
    raise pytest.UsageError(f"interlock target must be a name or a function (got {target!r})")


def _scenario(item) -> Scenario:
    if isinstance(item, Scenario):
        return item
    from .scenarios import load_scenario

    try:
        return load_scenario(item)
    except InterlockError as exc:
        raise pytest.UsageError(str(exc)) from None


def _explain(report: SubjectReport, broken: list[Verdict]) -> str:
    """The ``failure`` report format, on the broken invariants the test asked about."""
    from dataclasses import replace

    from .reports import render

    return render("failure", [replace(report, verdicts=broken)])


@pytest.fixture
def interlock(request: pytest.FixtureRequest) -> InterlockFixture:
    """Verify download patterns from a test: ``interlock.assert_holds(fn, "max_in_flight")``."""
    settings = _settings_from_config(request.config)
    marker = request.node.get_closest_marker("interlock")
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(
                "the interlock marker takes keywords only (seed=, runs=, runtime=, generated=, "
                "strategy=, granularity=, time_budget=, shard=, replay=)"
            )
        for key, value in marker.kwargs.items():
            if key not in _SETTINGS:
                raise pytest.UsageError(f"Invalid interlock marker keyword {key!r}")
            settings[key] = _parse(key, value, "marker")
    return InterlockFixture(**settings, node=_node_id(request))


def _node_id(request: pytest.FixtureRequest) -> str:
    """The test's node id with its path relative to where pytest was started (node ids
    are relative to the rootdir), so the replay command runs from there as printed."""
    import os

    config = request.config
    path, sep, rest = request.node.nodeid.partition("::")
    where = os.path.relpath(config.rootpath / path, config.invocation_params.dir)
    return Path(where).as_posix() + sep + rest
