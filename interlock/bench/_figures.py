"""The figures ``interlock bench`` prints, measured side by side in one run.

Not a test: it prints numbers for the machine it runs on. Every figure is a
median over repetitions, and the ratios compare things measured in this run.
"""

from __future__ import annotations

import itertools
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..checkers import check_all
from ..models import Scenario, Subject
from ..scenarios import load_scenario
from ..scenarios.small import small_scopes

__all__ = ["run_benchmarks"]


@dataclass(frozen=True)
class KnownBug:
    subject: str
    invariant: str
    scenario: str | None  # None: generated scenarios must find it
    label: str


# The article's cases, each on the named scenario that shows it.
NAMED_BUGS = (
    KnownBug("article_queue", "max_in_flight", "tiny", "article_queue: 5 in flight, limit 4"),
    KnownBug("empty_check_pool", "clean_shutdown", "tiny", "empty_check_pool: empty()/get() race"),
    KnownBug(
        "empty_check_pool", "no_deadlock", "all_fail", "empty_check_pool: deadlock on failure"
    ),
)


def known_bugs() -> list[KnownBug]:
    """The named cases, then every known bug of every built-in subject (each subject's
    BREAKS), to be found on generated scenarios, as verify's generate stage finds them."""
    generated = [
        KnownBug(subject.name, invariant, None, f"{subject.name}: {invariant}")
        for subject in builtin_subjects().values()
        for invariant in subject.breaks
    ]
    return [*NAMED_BUGS, *generated]


_OUT = [sys.stdout]


def builtin_subjects() -> dict[str, Subject]:
    """Every built-in subject, by name."""
    from ..subjects import builtin_subjects as catalogue

    return catalogue()


def _say(*parts: object) -> None:
    """Figures go to the real stdout, even while the subjects' own prints are swallowed."""
    print(*parts, file=_OUT[0], flush=True)


def _median_time(fn: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _interleaved(batches: tuple[Callable[[], object], ...], rounds: int) -> list[float]:
    """The median time of each batch over ``rounds`` rounds, one of each per round, so
    that a change in the machine's load falls on all of them alike."""
    samples: list[list[float]] = [[] for _ in batches]
    for _ in range(rounds):
        for batch, kept in zip(batches, samples, strict=True):
            kept.append(_median_time(batch, 1))
    return [statistics.median(kept) for kept in samples]


def _controlled_runner():
    from ..runtime.controlled import ControlledRuntime
    from ..runtime.strategies import make_strategy

    runtime = ControlledRuntime()

    def run(subject, scenario, spec="random", seed=0, strategy=None):
        if strategy is None:
            strategy = make_strategy(spec, seed)
            strategy.new_execution()
        return runtime.run(subject, scenario, strategy)

    return runtime, run


def _reference_batches(subject: Subject, scenario: Scenario, n: int):
    """``n`` runs on the floor (a bare greenlet scheduler: each thread runs until it
    blocks, no control, no decisions kept, no checking) and ``n`` with no scheduler at
    all (the true lower bound: CPython's own threads, downloads complete at once)."""
    from ..models import FakeDownloader
    from ._floor import run_on_floor
    from ._lower_bound import run_without_scheduler

    def floor_run():
        downloader = FakeDownloader(scenario)  # made inside: times on the floor's clock
        return list(subject.download_all(scenario.urls, downloader.fetch, scenario.limit))

    def floor_batch():
        for _ in range(n):
            run_on_floor(floor_run)

    def lower_batch():
        for _ in range(n):
            run_without_scheduler(subject, scenario)

    return floor_batch, lower_batch


def schedules_per_second(quick: bool) -> None:
    from ..runtime.threads import ThreadsRuntime

    subjects = builtin_subjects()
    subject = subjects["article_queue"]
    tiny = load_scenario("tiny")
    article = load_scenario("article")
    runtime, run = _controlled_runner()
    n = 300 if quick else 2000

    # As verify runs them: one session (patches installed once) for the whole batch, a
    # fresh seeded strategy per run, every checker on every record.
    def batch():
        with runtime.session():
            for i in range(n):
                check_all(run(subject, tiny, "random", i))

    # The floor and the true lower bound, timed in alternation with the batches above
    # so that all three see the same machine.
    floor_batch, lower_batch = _reference_batches(subject, tiny, n)
    medians = _interleaved((batch, floor_batch, lower_batch), 5 if quick else 7)
    controlled_rate, floor_rate, lower_rate = (n / m for m in medians)
    # The same runs split in two: running and recording, then checking.
    with runtime.session():
        records = [run(subject, tiny, "random", i) for i in range(n)]
    check_time = _median_time(lambda: [check_all(r) for r in records], 5) / n
    threads = ThreadsRuntime(scale=0.001)
    m = 10 if quick else 30

    def threads_batch():
        for _ in range(m):
            check_all(threads.run(subject, tiny))

    threads_rate = m / _median_time(threads_batch, 3)
    _say("schedules per second, end to end (run + record + check), article_queue on tiny:")
    _say(
        f"  controlled  {controlled_rate:10.0f} /s   ({1e6 / controlled_rate:.0f} us a run, "
        f"of which checking {check_time * 1e6:.0f} us)"
    )
    _say(f"  threads     {threads_rate:10.0f} /s   (1 virtual s = 1 ms; a forked child per run)")
    _say(f"  ratio       {controlled_rate / threads_rate:10.1f} x")
    _say(
        f"  floor       {floor_rate:10.0f} /s   (bare greenlet scheduler, run only: "
        f"controlled end to end is {controlled_rate / floor_rate:.2f} x its rate)"
    )
    _say(
        f"  no scheduler{lower_rate:10.0f} /s   (CPython's own threads, instant downloads: the "
        "lower bound in instructions, not in wall time, where OS threads switch; controlled "
        f"end to end takes {lower_rate / controlled_rate:.2f} x its time a run)"
    )
    with runtime.session():
        article_controlled = _median_time(
            lambda: check_all(run(subject, article, "random", 1)), 3 if quick else 5
        )
    article_threads = _median_time(
        lambda: check_all(threads.run(subject, article)), 1 if quick else 3
    )
    _say("one full run of article (500 downloads of 1-8 virtual s), wall time, median:")
    _say(f"  controlled  {article_controlled * 1000:10.1f} ms")
    _say(f"  threads     {article_threads * 1000:10.1f} ms")


def scheduling_point_cost(quick: bool) -> None:
    from ..runtime.controlled import run_controlled

    n = 20_000 if quick else 100_000

    def work():
        lock = threading.Lock()
        for _ in range(n):
            lock.acquire()
            lock.release()

    real = _median_time(work, 5) / n
    controlled = _median_time(lambda: run_controlled(work, seed=0), 3) / n
    _say("one Lock acquire + release (two scheduling points under control), median:")
    _say(f"  real threading.Lock, uncontended  {real * 1e6:8.3f} us")
    _say(f"  controlled scheduler              {controlled * 1e6:8.3f} us")
    _say(f"  ratio                             {controlled / real:8.1f} x")


def _first_violation(bug: KnownBug, spec: str, seed: int, budget_s: float) -> float | None:
    """Seconds until the bug shows under one strategy (or real threads), None if not in budget."""
    subject = builtin_subjects()[bug.subject]
    start = time.perf_counter()
    scenarios = _scenarios_for(bug, seed)
    if spec == "threads":
        from ..runtime.threads import ThreadsRuntime

        runtime = ThreadsRuntime(scale=0.001)
        while time.perf_counter() - start < budget_s:
            for scenario in scenarios():
                if _broken(runtime.run(subject, scenario), bug.invariant):
                    return time.perf_counter() - start
                if time.perf_counter() - start >= budget_s:
                    return None
        return None
    runtime, run = _controlled_runner()
    with runtime.session():  # as verify runs: patches installed once for all the runs
        return _first_controlled_violation(bug, spec, seed, budget_s, start, scenarios, run)


def _first_controlled_violation(bug, spec, seed, budget_s, start, scenarios, run):
    from ..runtime.strategies import make_strategy

    subject = builtin_subjects()[bug.subject]
    exhaustive = spec.startswith("exhaustive")
    strategy = make_strategy(spec, seed)
    for scenario in scenarios():  # generated ones: drawn until the budget runs out
        if time.perf_counter() - start >= budget_s:
            return None
        if exhaustive:  # the search tree belongs to one scenario: start a new one for each
            strategy = make_strategy(spec, seed)
            if bug.scenario is None:  # many generated scenarios: a slice of each tree
                strategy.max_schedules = 50
        while strategy.new_execution():
            if _broken(run(subject, scenario, strategy=strategy), bug.invariant):
                return time.perf_counter() - start
            if time.perf_counter() - start >= budget_s:
                return None
            if not exhaustive:
                break  # random and PCT: one schedule per scenario, then the next scenario
    if not exhaustive and bug.scenario is not None:
        while time.perf_counter() - start < budget_s:
            strategy.new_execution()
            if _broken(run(subject, scenarios()[0], strategy=strategy), bug.invariant):
                return time.perf_counter() - start
    return None


def _scenarios_for(bug: KnownBug, seed: int) -> Callable[[], Iterable[Scenario]]:
    if bug.scenario is not None:
        fixed = [load_scenario(bug.scenario)]
        return lambda: fixed

    # Generated scenarios, in the order verify's generate stage tries them: the small
    # scopes first, then the same Hypothesis strategy verify uses, drawn reproducibly
    # in batches that grow (4, 8, ... up to 64) for as long as the caller keeps asking
    # (the budget decides when to stop, not the end of one batch).
    def batches() -> Iterator[Scenario]:
        yield from small_scopes()
        for batch in itertools.count():
            yield from _draw(f"{seed}/{batch}", min(4 << batch, 64))

    return batches


def _draw(key: str, count: int) -> list[Scenario]:
    import random

    from hypothesis import HealthCheck, Phase, find, settings

    from ..scenarios.strategies import scenarios as strategy

    drawn: list[Scenario] = []

    def collect(s: Scenario) -> bool:
        drawn.append(s)
        return False

    try:
        find(
            strategy(),
            collect,
            settings=settings(
                max_examples=count,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            ),
            random=random.Random(key),
        )
    except Exception:  # NoSuchExample: we only wanted the draws
        pass
    return drawn


def _broken(record, invariant: str) -> bool:
    return not check_all(record, [invariant])[0].holds


def detection(quick: bool, seeds: int) -> None:
    """Time to each known bug's first violation: the article's cases on their named
    scenarios, then every built-in subject's BREAKS on generated scenarios (small
    scopes first, then Hypothesis's draws, the order verify's generate stage takes)."""
    budget = 1.0
    specs = ("random", "pct", "exhaustive", "threads")
    seeds = min(seeds, 5) if quick else seeds
    _say(
        f"time to first violation (median over {seeds} seeds, budget {budget:.0f} s each) and detection rate:"
    )
    _say(f"  {'bug':<44}" + "".join(f"{s:>18}" for s in specs))
    heading = None
    for bug in known_bugs():
        group = "  on its named scenario:" if bug.scenario else "  on generated scenarios:"
        if group != heading:
            _say(group)
            heading = group
        cells = []
        for spec in specs:
            times = [_first_violation(bug, spec, seed, budget) for seed in range(seeds)]
            hits = [t for t in times if t is not None]
            median = f"{statistics.median(hits) * 1000:.1f} ms" if hits else "-"
            cells.append(f"{median} {len(hits)}/{seeds}")
        _say(f"    {bug.label:<42}" + "".join(f"{c:>18}" for c in cells))


def jobs_speedup(quick: bool) -> None:
    """``verify --jobs 2`` against ``--jobs 1`` over every built-in subject, each a fresh
    process with the same budget, in alternating order; medians."""
    from . import _jobs

    budget = ("--time-budget", "3600")  # far beyond need: both do the very same runs
    if quick:
        budget = ("--runs", "10", "--generated", "2", *budget)
    rounds = 1 if quick else 3
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    one, two = _jobs.measure(rounds, budget)
    serial, parallel = _jobs.median_seconds(one), _jobs.median_seconds(two)
    allowed = _jobs.allowed_speedup(one)
    split = f"; the split allows {allowed:.2f} x" if allowed else ""
    _say(
        f"verify of every built-in subject, --jobs 1 against --jobs 2 (a fresh process each, "
        f"the same budget{', quick' if quick else ''}; median of {rounds}, alternating):"
    )
    _say(
        f"  --jobs 1    {serial:10.1f} s   (the subjects' own times: {_jobs.median_work(one):.1f} s)"
    )
    _say(
        f"  --jobs 2    {parallel:10.1f} s   (the subjects' own times: {_jobs.median_work(two):.1f} s)"
    )
    _say(
        f"  speed-up    {serial / parallel:10.2f} x   ({os.cpu_count()} cores, load average "
        f"{load:.1f} before{split})"
    )


def _in_fresh_python(urls: int, heap: bool) -> list[str]:
    """The words ``python -m interlock.bench._scale`` prints for one size ([] if it
    failed): a fresh interpreter, not a fork, whose heap no earlier figure has used."""
    command = [sys.executable, "-m", "interlock.bench._scale", str(urls)]
    done = subprocess.run(
        [*command, "--heap"] if heap else command, capture_output=True, text=True, timeout=900
    )
    return done.stdout.split() if done.returncode == 0 else []


def scale(quick: bool) -> None:
    """One run of a correct pool (executor_map) at growing sizes, each in a fresh
    interpreter after a first run of one URL (``_scale``): wall time, time per URL,
    and the peak memory the run added per URL, as the OS and the Python heap count it."""
    sizes = (100, 1_000, 10_000) if quick else (100, 1_000, 10_000, 100_000)
    _say(
        "one run of executor_map at scale (a fresh interpreter each, after a first run of 1 URL; "
        "limit 8, 1-8 virtual s):"
    )
    for urls in sizes:
        rss, heap = _in_fresh_python(urls, heap=False), _in_fresh_python(urls, heap=True)
        if len(rss) != 4 or len(heap) != 1:
            _say(f"  {urls:>7} URLs: the run failed")
            continue
        seconds, (before, after) = float(rss[0]), map(int, rss[2:])
        # A small run can fit in memory the process already had (the OS counts pages
        # at their peak): then it saw no growth, which is not the same as zero cost.
        added = (
            f"{(after - before) * 1024 / urls / 1000:6.2f} KB/URL"
            if after > before
            else "  none the OS saw"
        )
        _say(
            f"  {urls:>7} URLs  {seconds * 1000:9.1f} ms  {seconds / urls * 1e6:7.1f} us/URL"
            f"  peak memory added {added}  (Python heap {int(heap[0]) / urls / 1000:5.2f} KB/URL)"
        )


# A loop of plain lines that counts as the user's own code (a file outside interlock
# and the standard library), so that line granularity puts a point before each line.
_LINES_SOURCE = """
def lines(count):
    total = 0
    for i in range(count):
        total += i
    return total
"""
_namespace: dict = {}
exec(compile(_LINES_SOURCE, "bench_lines.py", "exec"), _namespace)  # noqa: S102 - our own text
_lines = _namespace["lines"]


def line_points(quick: bool) -> None:
    """What ``explore(granularity="line")`` costs: one controlled run of a loop of
    plain lines, with and without a scheduling point before each line."""
    from ..explorer import _Explorer
    from ..runtime.strategies import make_strategy

    count = 2_000 if quick else 20_000
    lines = 2 * count + 2  # the loop's two lines per turn, and the first and last

    def one(granularity: str) -> float:
        explorer = _Explorer(_lines, (count,), {}, "bench", granularity)

        def run():
            strategy = make_strategy("random", 0)
            strategy.new_execution()
            explorer.run(strategy)

        with explorer.engine.session():
            return _median_time(run, 3 if quick else 5)

    sync, line = one("sync"), one("line")
    _say("explore, a scheduling point before each line (granularity line), median:")
    _say(f"  {lines} plain lines, points at sync calls only  {sync * 1000:8.1f} ms")
    _say(f"  the same, a point before each line        {line * 1000:8.1f} ms")
    _say(f"  cost of a point per line                  {(line - sync) / lines * 1e6:8.2f} us")


def run_benchmarks(*, quick: bool = False, seeds: int = 20) -> None:
    import contextlib
    import io

    _OUT[0] = sys.stdout
    _say(
        f"interlock bench: Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores{' (quick)' if quick else ''}"
    )
    # Subjects print (the article's "Could not open document"); keep the figures readable.
    with contextlib.redirect_stdout(io.StringIO()):
        schedules_per_second(quick)
        scheduling_point_cost(quick)
        scale(quick)
        jobs_speedup(quick)
        line_points(quick)
        detection(quick, seeds)
