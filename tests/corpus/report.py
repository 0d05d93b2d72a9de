"""A default ``interlock verify`` of every corpus subject, timed, against what it declares.

    python -m tests.corpus.report [--time-budget S] [NAME ...]

Each subject runs in its own ``interlock verify FILE:download_all --json`` process
(stdin at end of file), so a subject that hangs or kills itself cannot take the report
with it. One line per subject: the seconds it took, what ``verify`` found broken, and
how that compares with the module's ``BREAKS`` and ``NOT_MODELLED``: ``ok``, ``FALSE
ALARM`` (an invariant reported broken that the subject keeps), ``MISSED`` (a declared
break not found) or ``not named`` (an unmodelled call the report did not name). The
totals end the report; the exit code is 1 when any subject was misjudged.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import time

from tests.corpus import corpus_files

ADVISORY = {"work_conserving"}  # reported, never a FAIL


def _declared(path):
    spec = importlib.util.spec_from_file_location(f"corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return set(getattr(module, "BREAKS", {})) - ADVISORY, getattr(module, "NOT_MODELLED", None)


def judge(path, time_budget: float | None) -> dict:
    breaks, not_modelled = _declared(path)
    argv = [sys.executable, "-m", "interlock", "verify", f"{path}:download_all", "--json"]
    if time_budget is not None:
        argv += ["--time-budget", str(time_budget)]
    start = time.monotonic()
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return {"name": path.stem, "seconds": 300.0, "verdict": "NO ANSWER in 300 s"}
    seconds = time.monotonic() - start
    row = {"name": f"{path.parent.name}/{path.stem}", "seconds": seconds}
    try:
        target = json.loads(done.stdout)["targets"][0]
    except (ValueError, KeyError, IndexError):
        row["verdict"] = f"NO REPORT (exit {done.returncode}): {done.stderr.strip()[-120:]}"
        return row
    broken = {v["invariant"] for v in target["verdicts"] if not v["holds"]} - ADVISORY
    unsupported = target.get("unsupported")
    row["broken"] = sorted(broken)
    if not_modelled and stdin_open_only(path):
        not_modelled = None  # it blocks on stdin only when stdin is open: here it is at EOF
    if not_modelled:
        row["verdict"] = "ok" if unsupported and not_modelled in unsupported else "not named"
    elif unsupported:
        row["verdict"] = f"NOT JUDGED: {unsupported[:80]}"
    elif broken - breaks:
        row["verdict"] = "FALSE ALARM: " + ", ".join(sorted(broken - breaks))
    elif breaks - broken and not stdin_open_only(path):
        row["verdict"] = "MISSED: " + ", ".join(sorted(breaks - broken))
    else:
        row["verdict"] = "ok"
    return row


def stdin_open_only(path) -> bool:
    return 'STDIN = "open and silent"' in path.read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.corpus.report")
    parser.add_argument("--time-budget", type=float, default=None)
    parser.add_argument("names", nargs="*", help="only these subjects (file stems)")
    args = parser.parse_args(argv)
    rows = []
    for path in corpus_files():
        if args.names and path.stem not in args.names:
            continue
        row = judge(path, args.time_budget)
        rows.append(row)
        print(f"{row['seconds']:6.1f} s  {row['name']:<44} {row['verdict']}", flush=True)
    seconds = [row["seconds"] for row in rows]
    wrong = [row for row in rows if row["verdict"] != "ok"]
    false_alarms = sum(row["verdict"].startswith("FALSE ALARM") for row in rows)
    print(
        f"\n{len(rows)} subjects: {len(rows) - len(wrong)} judged as declared, "
        f"{false_alarms} false alarms, {len(wrong) - false_alarms} other misjudged; "
        f"seconds per subject: median {statistics.median(seconds):.1f}, max {max(seconds):.1f}, "
        f"total {sum(seconds):.0f}"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
