"""The command line: ``interlock list | verify | replay | bench``. Thin: parse, call, render."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence

from .errors import InterlockError

__all__ = ["main"]

EXIT_OK, EXIT_VIOLATION, EXIT_USAGE, EXIT_STALE = 0, 1, 2, 3

_EXIT_CODES = """exit codes: 0 nothing broke; 1 a violation or failure was found (replay: the
token's failure happened again); 2 bad input; 3 (replay) the token no longer applies:
its schedule diverges from today's code, or the run no longer fails"""


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise _UsageError(message)


def _positive(kind: str):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{kind} must be a whole number (got {text!r})"
            ) from None
        bound = 0 if kind in ("--generated", "--bound") else 1
        if value < bound:
            raise argparse.ArgumentTypeError(f"{kind} must be >= {bound} (got {value})")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--time-budget must be a number of seconds (got {text!r})"
        ) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"--time-budget must be > 0 seconds (got {text!r})")
    return value


def _order(f) -> tuple[int, str]:
    return (f.order, f.name)


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .reports import FORMATS, format_names
    from .runtime import runtime_names
    from .runtime.strategies import strategy_usage

    parser = _Parser(
        prog="interlock",
        description="Verify threaded download patterns.",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"interlock {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    sub.add_parser("list", help="list the built-in subjects and scenarios")

    verify = sub.add_parser("verify", help="check subjects against every invariant")
    verify.add_argument(
        "targets",
        nargs="*",
        metavar="TARGET",
        help="a built-in name, package.module:function or path/to/file.py:function (default: every built-in)",
    )
    verify.add_argument(
        "--scenario",
        action="append",
        metavar="NAME|PATH",
        help="a named scenario or a .toml file (repeatable; default: every named one plus generated ones)",
    )
    verify.add_argument("--runs", type=_positive("--runs"), help="schedules per scenario")
    verify.add_argument(
        "--time-budget",
        type=_seconds,
        metavar="SECONDS",
        help="real time exploring one subject may take (default 40); what was covered "
        "when it runs out is noted",
    )
    verify.add_argument(
        "--seed", type=int, default=0, help="seed for schedules and generated scenarios"
    )
    verify.add_argument(
        "--generated",
        type=_positive("--generated"),
        help="how many generated scenarios to try (0: none)",
    )
    verify.add_argument(
        "--runtime",
        choices=runtime_names(),
        default="controlled",
        help="controlled scheduler on virtual time (default) or real threads",
    )
    verify.add_argument(
        "--strategy",
        default=None,
        help=f"how the controlled scheduler chooses schedules: {strategy_usage()} "
        "(default mix: a baseline, then random walks and PCT in turn)",
    )
    verify.add_argument(
        "--jobs",
        "-j",
        type=_positive("--jobs"),
        default=1,
        help="verify this many subjects at once, each in its own process (default 1; "
        "the results are the same whatever the number)",
    )
    verify.add_argument(
        "--shard",
        default=None,
        metavar="K/N",
        help="judge only this shard's share of each scenario's runs: N shards (say a CI "
        "matrix) together judge every run of the budget, each once",
    )
    verify.add_argument(
        "--format",
        choices=format_names(),
        default=None,
        help="how to print the report: "
        + "; ".join(f"{f.name}: {f.summary}" for f in sorted(FORMATS.values(), key=_order)),
    )
    verify.add_argument("--json", action="store_true", help="the same as --format json")
    verify.add_argument(
        "--invariant",
        action="append",
        metavar="NAME",
        help="check only this invariant (repeat for more; default: every one)",
    )
    verify.add_argument(
        "-x",
        "--fail-fast",
        action="store_true",
        help="stop at the first FAIL: the rest of that subject, and the subjects after it",
    )
    verify.add_argument(
        "--expect-declared",
        action="store_true",
        help="exit 0 when each subject breaks exactly the invariants it declares (BREAKS), else 1",
    )
    verify.add_argument(
        "--timeline",
        action="store_true",
        help="the same as --format timeline; with --json (or --format json), each violation "
        "in the JSON carries its run's timeline: every download's start and finish event",
    )
    verify.add_argument(
        "--explain",
        action="store_true",
        help="the same as --format explain: each violation drawn, where every thread was, "
        "and the schedule as numbered steps",
    )
    verify.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress lines on stderr (default: when stderr is a terminal)",
    )

    replay = sub.add_parser(
        "replay",
        help="re-run a violation from its replay token",
        epilog=_EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument(
        "token",
        nargs="+",
        help="the token as printed; wrapped across lines or quoted with '>' as pasted in a "
        "comment is fine (its pieces may be separate arguments); - reads it from stdin",
    )
    replay.add_argument(
        "--recheck",
        action="store_true",
        help="explore the token's scenario (or function) afresh on today's code instead: "
        "exit 0 when nothing breaks, 1 when something does",
    )
    replay.add_argument(
        "--format",
        choices=format_names(),
        default="explain",
        help="how to show the replayed run (default explain)",
    )

    explore = sub.add_parser(
        "explore",
        help="run any threaded function over many schedules; report the first that fails",
    )
    explore.add_argument("target", help="path/to/file.py:FUNCTION or package.module:FUNCTION")
    explore.add_argument("--runs", type=_positive("--runs"), default=500)
    explore.add_argument("--seed", type=int, default=0)
    explore.add_argument("--strategy", default="mix", help=f"{strategy_usage()} (default mix)")
    explore.add_argument(
        "--time-budget",
        type=_seconds,
        default=30.0,
        help="real seconds the exploration may take (default 30)",
    )
    explore.add_argument(
        "--shard", default=None, help="K/N: run only this shard's share of the schedules"
    )
    explore.add_argument(
        "--granularity",
        choices=["sync", "line"],
        default="sync",
        help="where threads may switch: at synchronisation calls (default), or also before "
        "each line of your own code (finds races between plain lines)",
    )
    explore.add_argument("--json", action="store_true", help="the result as JSON")

    show = sub.add_parser("show", help="a subject's origin and why it breaks what it breaks")
    show.add_argument("subject")

    new = sub.add_parser(
        "new", help="write a new subject module and a test that fails until it is filled in"
    )
    new.add_argument("name", help="the module's name (a Python identifier)")
    new.add_argument("--dir", default=".", help="where to write the two files (default .)")

    demo = sub.add_parser(
        "demo",
        help="show in one screen how a subject breaks its promise, and its fix beside it",
    )
    demo.add_argument(
        "subject", nargs="?", default="article_queue", help="default: the article's article_queue"
    )
    demo.add_argument(
        "--format",
        choices=["demo", *format_names()],
        default="demo",
        help="demo (default): the one-screen demonstration; any report format instead",
    )
    demo.add_argument("--explain", action="store_true", help="add the schedule as numbered steps")
    demo.add_argument(
        "--limit",
        type=_positive("--limit"),
        default=4,
        help="the limit a broken-limit claim is shown at (default 4, the article's)",
    )
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument(
        "--bound",
        type=_positive("--bound"),
        default=0,
        help="preemptions the search of the fix allows (default 0: a thread runs until it "
        "waits, and every order of the threads that can run then is tried)",
    )
    demo.add_argument(
        "--proof-seconds",
        type=_seconds,
        default=60.0,
        help="real seconds the search of the fix may take (default 60)",
    )

    bench = sub.add_parser("bench", help="measure speed and detection (prints numbers)")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions")
    bench.add_argument("--seeds", type=_positive("--seeds"), default=20)
    bench.add_argument(
        "--instructions",
        action="store_true",
        help="only instructions per tiny run, counted by valgrind's callgrind",
    )
    return parser


def _keep_out_of_the_working_directory() -> None:
    """Hypothesis keeps a cache (``.hypothesis/``) in the working directory by default:
    the command line puts it in the user's cache instead, unless it was set."""
    if "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = os.path.join(cache, "interlock", "hypothesis")


@contextlib.contextmanager
def _on_sys_path(*directories: str):
    """Inside the block, ``module:function`` targets also import from ``directories``
    (first), as ``python -m`` imports from the working directory; sys.path is put back
    after (``main`` may run inside another program, such as a test)."""
    added = [os.path.abspath(d) for d in directories]
    added = [d for i, d in enumerate(added) if d not in sys.path and d not in added[:i]]
    sys.path[:0] = added
    try:
        yield
    finally:
        for directory in added:
            if directory in sys.path:
                sys.path.remove(directory)


@contextlib.contextmanager
def _standard_fds_kept():
    """Keep a copy of file descriptors 1 and 2 for the length of the command: a subject
    run in this process may close them or point them elsewhere (``os.dup2`` of
    /dev/null), and the report must still reach the terminal (``_repair_standard_fds``)."""
    for fd in (1, 2):
        try:
            _KEPT_FDS[fd] = (os.dup(fd), _identity(fd))
        except OSError:  # not open: nothing to keep
            pass
    try:
        yield
    finally:
        while _KEPT_FDS:
            _, (copy, _) = _KEPT_FDS.popitem()
            os.close(copy)


_KEPT_FDS: dict[int, tuple[int, tuple]] = {}


def _identity(fd: int) -> tuple:
    info = os.fstat(fd)
    return (info.st_dev, info.st_ino, info.st_mode)


def _repair_standard_fds() -> None:
    """Point fds 1 and 2 back where they were at the start, if a subject moved them."""
    for fd, (copy, identity) in _KEPT_FDS.items():
        try:
            if _identity(fd) == identity:
                continue
        except OSError:  # closed by the subject
            pass
        os.dup2(copy, fd)


def main(argv: Sequence[str] | None = None) -> int:
    _keep_out_of_the_working_directory()
    with _on_sys_path(os.getcwd()), _standard_fds_kept():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"interlock: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command == "list":
            return _list()
        if args.command == "verify":
            return _verify(args)
        if args.command == "replay":
            text = sys.stdin.read() if args.token == ["-"] else " ".join(args.token)
            return _replay(text, args.format, recheck=args.recheck)
        if args.command == "show":
            return _show(args.subject)
        if args.command == "new":
            return _new(args.name, args.dir)
        if args.command == "explore":
            return _explore(args)
        if args.command == "demo":
            return _demo(args)
        if args.command == "bench":
            from .bench import run_benchmarks

            if args.instructions:
                from .bench import instructions_per_run

                counted = instructions_per_run()
                if counted is None:
                    print(
                        "interlock: error: --instructions needs valgrind on PATH", file=sys.stderr
                    )
                    return EXIT_USAGE
                print(
                    "instructions per tiny run, end to end (article_queue, run + record + "
                    f"check, valgrind callgrind): {counted:,.0f}"
                )
                return EXIT_OK
            run_benchmarks(quick=args.quick, seeds=args.seeds)
            return EXIT_OK
    except InterlockError as exc:
        print(f"interlock: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interlock: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    return EXIT_USAGE  # pragma: no cover - argparse requires a command


def _list() -> int:
    from .checkers import CHECKERS
    from .scenarios import builtin_scenarios
    from .subjects import builtin_subjects

    print("subjects:")
    for subject in builtin_subjects().values():
        breaks = ", ".join(subject.breaks) or "nothing"
        print(f"  {subject.name:<28} breaks: {breaks}")
    print("scenarios:")
    for scenario in builtin_scenarios():
        print(f"  {scenario.describe()}")
    print("invariants:")
    for checker in CHECKERS.values():
        extra = " (advisory)" if checker.advisory else ""
        print(f"  {checker.name:<18} {checker.summary}{extra}")
    return EXIT_OK


def _verify(args) -> int:
    from .explorer import parse_shard
    from .models import Budget, InvalidSetting, Settings
    from .reports import render
    from .scenarios import load_scenario
    from .subjects import builtin_subjects, load_target
    from .verify import Verifier

    # Options that would be silently ignored are refused instead.
    if args.strategy is not None and args.runtime == "threads":
        msg = "--strategy applies to the controlled runtime only: real threads are scheduled by the OS"
        raise InvalidSetting(msg)
    if args.generated is not None and args.scenario:
        msg = "--generated applies only without --scenario: generated scenarios are searched when no scenario is named"
        raise InvalidSetting(msg)
    if args.timeline and args.format not in (None, "json", "timeline"):
        msg = f"--timeline applies to the JSON report or is --format timeline: with --format {args.format} it would be ignored"
        raise InvalidSetting(msg)
    settings = Settings(
        seed=args.seed,
        runtime=args.runtime,
        strategy=args.strategy or "mix",
        budget=Budget(runs=args.runs, generated=args.generated, seconds=args.time_budget),
        invariants=tuple(args.invariant) if args.invariant else None,
        fail_fast=args.fail_fast,
    )
    subjects = (
        [load_target(t) for t in args.targets]
        if args.targets
        else list(builtin_subjects().values())
    )
    scenarios = [load_scenario(s) for s in args.scenario] if args.scenario else None
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress

    def progress(message: str) -> None:
        if show_progress:
            _repair_standard_fds()
            print(f"interlock: {message}", file=sys.stderr, flush=True)

    shard = parse_shard(args.shard)
    verifier = Verifier(settings, progress=progress, shard=shard)
    if args.jobs > 1 and len(subjects) > 1:
        from .parallel import verify_in_processes

        reports = verify_in_processes(
            subjects,
            settings,
            args.scenario,
            jobs=args.jobs,
            show_progress=show_progress,
            shard=shard,
        )
    else:
        reports = []
        for index, subject in enumerate(subjects, 1):
            progress(f"[{index}/{len(subjects)}] {subject.name}")
            reports.append(verifier.verify(subject, scenarios))
            if args.fail_fast and not reports[-1].ok and index < len(subjects):
                print(
                    f"interlock: stopped at the first FAIL (--fail-fast): "
                    f"{len(subjects) - index} subject(s) not verified",
                    file=sys.stderr,
                )
                break
    _repair_standard_fds()  # a subject may have pointed fd 1 or 2 at /dev/null
    chosen = args.format or (
        "json"
        if args.json
        else "explain"
        if args.explain
        else "timeline"
        if args.timeline
        else "table"
    )
    if chosen == "json" and args.timeline:
        print(_json_with_timelines(reports))
    else:
        print(render(chosen, reports, color=_color()))
    unjudged = [r for r in reports if r.unsupported]
    for report in unjudged:
        print(
            f"interlock: {report.subject.name}: not judged: {report.unsupported}", file=sys.stderr
        )
    if unjudged and not args.expect_declared:
        return EXIT_USAGE
    if args.expect_declared:
        surprises = [s for r in reports for s in r.surprises()]
        for line in surprises:
            print(f"unexpected: {line}", file=sys.stderr)
        return EXIT_VIOLATION if surprises else EXIT_OK
    return EXIT_OK if all(r.ok for r in reports) else EXIT_VIOLATION


def _json_with_timelines(reports) -> str:
    """The JSON report, each violation with ``timeline``: its run's download events in
    order (``seq``, ``time``, ``thread``, ``kind``: start, finish or fail, ``url``,
    ``in_flight`` after it), the events ``--format timeline`` draws."""
    import json

    from .reports import to_json

    data = to_json(reports)
    for target, report in zip(data["targets"], reports, strict=True):
        for violation in target["violations"]:
            record = report.records[violation["invariant"]]
            violation["timeline"] = _events_of(record)
    return json.dumps(data, indent=2)


def _events_of(record) -> list[dict]:
    trace = record.trace
    counts = trace.in_flight_counts()
    return [
        {
            "seq": e.seq,
            "time": e.time,
            "thread": e.thread,
            "kind": e.kind,
            "url": e.url,
            "in_flight": count,
        }
        for e, count in zip(trace.events, counts, strict=True)
    ]


def _show(target: str) -> int:
    from .subjects import load_target

    subject = load_target(target)
    print(subject.name)
    if subject.origin:
        print(f"  origin: {subject.origin}")
    if subject.breaks:
        print("  breaks:")
        for invariant, why in subject.breaks.items():
            print(f"    {invariant}: {why}")
    else:
        print("  breaks: nothing (every invariant should hold)")
    promised = subject.promises.describe()
    if promised:
        print(f"  promises: {promised}")
    if subject.fixed_by:
        print(f"  fixed by: {subject.fixed_by}")
    return EXIT_OK


_NEW_SUBJECT = '''"""{name}: what this pattern is, in a sentence or two.

Where it comes from, and what it promises.
"""

import threading  # noqa: F401 - most patterns need it

NAME = "{name}"
ORIGIN = "TODO: where this pattern comes from"
# invariant -> why the pattern breaks it (see `interlock list`); {{}} when it keeps all.
BREAKS: dict[str, str] = {{}}
# What it promises beyond the contract: "ordered", "fail_fast", "bound" ("limit + 1"...).
PROMISES: dict = {{}}


def download_all(urls, fetch, limit):
    """Download every URL with fetch(url), at most `limit` at once; one result per URL,
    in order (a failed download's exception as its result)."""
    raise NotImplementedError("write the pattern here")
'''

_NEW_TEST = '''"""{name} breaks exactly what it declares in BREAKS (it fails until it is written)."""

from pathlib import Path

from interlock import Verifier
from interlock.subjects import load_target


def test_{name}_breaks_exactly_what_it_declares():
    subject = load_target(str(Path(__file__).with_name("{name}.py")) + ":download_all")
    report = Verifier().verify(subject)
    assert not report.surprises(), report.surprises()
'''


def _new(name: str, directory: str) -> int:
    from pathlib import Path

    from .models import InvalidSetting

    if not name.isidentifier():
        msg = f"a subject's name must be a Python identifier (got {name!r})"
        raise InvalidSetting(msg)
    where = Path(directory)
    module, test = where / f"{name}.py", where / f"test_{name}.py"
    for path in (module, test):
        if path.exists():
            msg = f"{path} exists already: nothing written"
            raise InvalidSetting(msg)
    where.mkdir(parents=True, exist_ok=True)
    module.write_text(_NEW_SUBJECT.format(name=name), encoding="utf-8")
    test.write_text(_NEW_TEST.format(name=name), encoding="utf-8")
    print(f"wrote {module} and {test}")
    print(f"next: write download_all, then: interlock verify {module}:download_all")
    return EXIT_OK


def _explore(args) -> int:
    import json

    from .explorer import explore, parse_shard
    from .subjects import load_callable

    shard = parse_shard(args.shard)
    fn = load_callable(args.target)
    result = explore(
        fn,
        runs=args.runs,
        seed=args.seed,
        strategy=args.strategy,
        time_budget=args.time_budget,
        shard=shard,
        target=args.target,
        granularity=args.granularity,
    )
    print(json.dumps(result.to_json(), indent=2) if args.json else result.report())
    return EXIT_OK if result.ok else EXIT_VIOLATION


def _demo(args) -> int:
    from .demo import demo, terminal_progress
    from .subjects import load_target

    subject = load_target(args.subject)
    fix = load_target(subject.fixed_by) if subject.fixed_by else None
    progress = terminal_progress()
    text = demo(
        subject,
        fix=fix,
        chosen=args.format,
        limit=args.limit,
        seed=args.seed,
        bound=args.bound,
        seconds=args.proof_seconds,
        explain=args.explain,
        color=_color(),
        progress=progress,
    )
    if progress is not None:
        print("\r\x1b[K", end="", file=sys.stderr, flush=True)  # clear the progress line
    print(text)
    return EXIT_OK


def _color() -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


_TEXT_FORMATS = ("table", "timeline", "explain", "failure")


def _replay(text: str, chosen: str = "explain", *, recheck: bool = False) -> int:
    from .replay import ReplayToken

    token = ReplayToken.decode(text)
    # Machine-read formats keep stdout to themselves.
    print(token.describe(), file=sys.stdout if chosen in _TEXT_FORMATS else sys.stderr)
    # The directory the token's module imported from when it was made (relative to
    # where it was made: the project's root, for a token a test suite printed).
    with _on_sys_path(token.root) if token.root else contextlib.nullcontext():
        if recheck:
            return _recheck(token, chosen)
        if token.runtime == "explore":  # a callable's failure (interlock explore)
            return _replay_callable(token)
        return _replay_subject(token, chosen)


def _no_longer_applies(why: str) -> int:
    print(
        f"interlock: the token no longer applies: {why}; --recheck explores today's code afresh",
        file=sys.stderr,
    )
    return EXIT_STALE


def _load_function(token):
    """The function an explore token names; one that cannot be imported is refused with
    the exact command that replays it, when the token knows its test."""
    from .explorer import replay_command
    from .models import InvalidTarget
    from .subjects import importable, load_callable

    if not importable(token.target):
        how = replay_command(token.encode(), token.target, token.node)
        msg = f"{token.target} is a nested function or a lambda; replay it with: {how}"
        raise InvalidTarget(msg)
    return load_callable(token.target)


def _replay_callable(token) -> int:
    from .explorer import replay_callable

    result, same = replay_callable(token, _load_function(token))
    if result.stale is not None:
        return _no_longer_applies(result.stale)
    print(result.report())
    print()
    print(
        "failed the same way as when the token was made"
        if same
        else "did NOT fail the same way: the code is not deterministic under the scheduler"
    )
    return EXIT_VIOLATION


def _recheck(token, chosen: str) -> int:
    """The token's scenario (or function) explored afresh on today's code."""
    from .models import Settings
    from .reports import render
    from .subjects import load_target
    from .verify import Verifier

    if token.runtime == "explore":
        from .explorer import explore

        fn = _load_function(token)
        result = explore(fn, target=token.target, granularity=token.scenario or "sync")
        print(result.report())
        return EXIT_OK if result.ok else EXIT_VIOLATION
    subject = load_target(token.target)
    report = Verifier(Settings(runtime=token.runtime)).verify(subject, [token.load_scenario()])
    print(render(chosen, [report], color=_color()))
    return EXIT_OK if report.ok else EXIT_VIOLATION


def _replay_subject(token, chosen: str) -> int:
    from dataclasses import replace

    from .checkers import check_all
    from .explorer import STALE_DIVERGES, STALE_PASSES
    from .models import Settings, SubjectReport
    from .replay import trace_digest
    from .reports import render
    from .runtime import make_runtime
    from .subjects import load_target

    subject = load_target(token.target)
    scenario = token.load_scenario()
    runtime = make_runtime(Settings(runtime=token.runtime, seed=token.seed))
    observed = runtime.observe(subject, scenario, token.decisions)
    if observed is None:
        return _no_longer_applies(STALE_DIVERGES)
    record, story = observed
    record = record.with_replay(token.encode())
    verdicts = [
        v if v.holds else replace(v, scenario=scenario.name, replay=record.replay)
        for v in check_all(record)
    ]
    broken = [v for v in verdicts if not v.holds]
    report = SubjectReport(
        subject,
        runtime.name,
        verdicts,
        runs=1,
        scenarios=1,
        records={v.invariant: record for v in broken},
        stories={v.invariant: story for v in broken} if story is not None else {},
    )
    text_format = chosen in _TEXT_FORMATS
    if broken or not text_format:
        print(render(chosen, [report], color=_color()))
    else:  # nothing broke: the run itself, event by event
        from .reports import render_timeline

        print(render_timeline(record))
    same = trace_digest(record.trace.render()) == token.digest
    out = sys.stdout if text_format else sys.stderr
    print(file=out)
    print(
        "trace identical to the recorded one"
        if same
        else "trace DIFFERS from the recorded one: the subject is not deterministic under the scheduler",
        file=out,
    )
    if not broken:
        return _no_longer_applies(STALE_PASSES)
    return EXIT_VIOLATION if any(not v.advisory for v in broken) else EXIT_OK
