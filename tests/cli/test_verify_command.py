"""interlock verify / list / replay, end to end through main(argv)."""

from __future__ import annotations

import json
import re
import textwrap

import pytest

from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(300)

RACY = textwrap.dedent(
    """
    import random
    import threading

    def download_all(urls, fetch, limit):
        # Nondeterministic on purpose: which URL goes first depends on an unseeded RNG.
        urls = list(urls)
        random.shuffle(urls)
        results = []
        for url in urls:
            t = threading.Thread(target=lambda u=url: results.append(fetch(u)))
            t.start()
            t.join()
        # and, from 5 URLs on, it loses one result (so no smaller scenario shows it)
        return results[:-1] if len(urls) >= 5 else results
    """
)


def test_list_names_every_subject_scenario_and_invariant(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    for name in (
        "article_queue",
        "executor_map",
        "tiny",
        "limit_8",
        "max_in_flight",
        "work_conserving",
    ):
        assert name in out


def test_correct_subject_exits_0(capsys):
    code, out, _ = run(
        capsys,
        "verify",
        "executor_map",
        "--scenario",
        "tiny",
        "--scenario",
        "all_fail",
        "--runs",
        "20",
    )
    assert code == 0
    assert re.search(r"^executor_map\s+pass\s+pass", out, re.M)
    assert "every invariant held" in out


def test_violation_exits_1_and_explains(capsys):
    code, out, _ = run(
        capsys, "verify", "article_queue", "--scenario", "tiny", "--runs", "20", "--timeline"
    )
    assert code == 1
    assert re.search(r"^article_queue\s+FAIL", out, re.M)
    assert re.search(
        r"FAIL max_in_flight: 5 downloads in flight at t=\S+ \(u\d u\d u\d u\d u\d\); limit is 4 \[scenario tiny(, shrunk)?\]",
        out,
    )
    assert "replay: interlock replay il1." in out
    assert re.search(r"\^ 5 in flight at t=\S+, limit 4", out)  # the drawn moment
    assert "where every thread was at t=" in out


def test_json_shape(capsys):
    code, out, _ = run(
        capsys,
        "verify",
        "article_queue",
        "executor_map",
        "--scenario",
        "tiny",
        "--runs",
        "10",
        "--json",
    )
    assert code == 1
    data = json.loads(out)
    assert [t["target"] for t in data["targets"]] == ["article_queue", "executor_map"]
    verdict = next(v for v in data["targets"][0]["verdicts"] if v["invariant"] == "max_in_flight")
    assert (
        verdict["holds"] is False
        and verdict["scenario"] in ("tiny", "tiny, shrunk")
        and verdict["replay"].startswith("il1.")
    )
    assert all(v["holds"] for v in data["targets"][1]["verdicts"])
    assert {"invariant", "holds", "message", "scenario", "replay"} <= set(verdict)


def test_expect_declared(capsys):
    code, _, err = run(
        capsys, "verify", "article_queue", "--scenario", "tiny", "--runs", "10", "--expect-declared"
    )
    # tiny has no failures and no slow head, so two declared breaks cannot show: a surprise.
    assert code == 1
    assert "unexpected: article_queue declares it breaks errors_reported, but it held" in err


def test_replay_round_trip_gives_the_identical_trace(capsys):
    code, out, _ = run(
        capsys, "verify", "article_queue", "--scenario", "tiny", "--runs", "20", "--json"
    )
    token = next(
        v for v in json.loads(out)["targets"][0]["verdicts"] if v["invariant"] == "max_in_flight"
    )["replay"]
    code, out, _ = run(capsys, "replay", token)
    assert code == 1
    assert "trace identical to the recorded one" in out
    assert "<-- 5 in flight, limit 4" in out  # the numbered steps mark the moment


def test_file_target_and_nondeterminism_is_called_out(tmp_path, capsys):
    path = tmp_path / "racy.py"
    path.write_text(RACY)
    code, out, _ = run(
        capsys, "verify", f"{path}:download_all", "--scenario", "tiny", "--runs", "5"
    )
    assert code == 1
    assert "FAIL no_lost_results" in out
    assert "NONDETERMINISTIC" in out


def test_progress_goes_to_stderr(capsys):
    code, out, err = run(
        capsys, "verify", "executor_map", "--scenario", "single", "--runs", "3", "--progress"
    )
    assert code == 0
    assert "interlock: [1/1] executor_map" in err
    assert "interlock:" not in out


def test_verify_writes_nothing_into_the_working_directory(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_STORAGE_DIRECTORY"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    work = tmp_path / "work"
    work.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "interlock", "verify", "article_semaphore", "--runs", "2"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # Hypothesis's cache (written for modules outside site-packages, as in a checkout)
    # goes to the user's cache, never to the working directory.
    assert list(work.iterdir()) == []


def test_invariant_checks_a_subset_and_a_misspelt_one_is_refused(capsys):
    code, out, _ = run(
        capsys, "verify", "article_queue", "--scenario", "tiny", "--invariant", "max_in_flight"
    )
    assert code == 1
    header = out.splitlines()[0].split()
    assert header == ["subject", "in-flight"]  # one column: the one asked for
    code, out, err = run(capsys, "verify", "article_queue", "--invariant", "max_inflight")
    assert code == 2 and out == ""
    assert "unknown invariant 'max_inflight': did you mean 'max_in_flight'?" in err


def test_fail_fast_stops_at_the_first_fail(capsys):
    code, out, err = run(capsys, "verify", "article_queue", "executor_map", "-x")
    assert code == 1
    assert "executor_map" not in out
    assert "stopped at the first FAIL (--fail-fast): 1 subject(s) not verified" in err
    assert "stopped at the first violation, on scenario" in out  # within the subject too
