"""A token the plugin prints replays from the project's root as printed (a nested
function's through its test); ``--interlock-replay`` refuses another function's token;
``--interlock-shard K/N`` splits explore's and verify's runs with no overlap."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(300)

COUNTER = """
import threading


def race():
    box = {"n": 0}
    lock = threading.Lock()

    def add():
        with lock:
            seen = box["n"]
        with lock:
            box["n"] = seen + 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2, f"lost an update: {box['n']}"
"""

TESTS = """
import mypools.counter


def test_package_function(interlock):
    interlock.assert_explores_ok(mypools.counter.race)


def module_race():
    mypools.counter.race()


def test_module_function(interlock):
    interlock.assert_explores_ok(module_race)


def test_nested(interlock):
    def body():
        mypools.counter.race()

    interlock.assert_explores_ok(body)
"""


@pytest.fixture
def project(pytester):
    """A project: a package at the root, its tests in tests/ (no __init__.py)."""
    pytester.mkpydir("mypools")
    (pytester.path / "mypools" / "counter.py").write_text(COUNTER)
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_pool.py").write_text(TESTS)
    return pytester


def tokens(lines) -> dict[str, str]:
    """test name -> the replay line printed in its failure."""
    found, test = {}, None
    for line in lines:
        if line.startswith("____") and " test_" in line:
            test = line.strip("_ ").strip()
        elif "replay: " in line and test:
            found[test] = line.split("replay: ", 1)[1].strip()
    return found


def cli(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    """The ``interlock`` script, as a user runs it: no PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST")}
    script = str(Path(sys.executable).with_name("interlock"))
    return subprocess.run([script, *argv], cwd=cwd, env=env, capture_output=True, text=True)


def test_every_printed_token_replays_from_the_project_root(project):
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=3)
    printed = tokens(result.stdout.lines)
    assert set(printed) == {"test_package_function", "test_module_function", "test_nested"}
    for name in ("test_package_function", "test_module_function"):
        command = printed[name]
        assert command.startswith("interlock replay il1.")
        done = cli(project.path, "replay", command.split()[-1])
        assert done.returncode == 1, (name, done.stderr)
        assert "failed the same way as when the token was made" in done.stdout


def test_a_nested_function_replays_through_its_test(project):
    result = project.runpytest_subprocess(
        "-p", "no:cacheprovider", "tests/test_pool.py::test_nested"
    )
    command = tokens(result.stdout.lines)["test_nested"]
    assert command.startswith("pytest tests/test_pool.py::test_nested --interlock-replay il1.")
    token = command.split()[-1]
    # interlock replay cannot import it: it says, in one line, what will.
    done = cli(project.path, "replay", token)
    assert done.returncode == 2
    assert done.stderr == (
        "interlock: error: test_pool:test_nested.<locals>.body is a nested function or a "
        f"lambda; replay it with: {command}\n"
    )
    # The command, as printed, replays that one schedule.
    again = project.runpytest_subprocess("-p", "no:cacheprovider", *command.split()[1:])
    again.assert_outcomes(failed=1)
    again.stdout.fnmatch_lines(
        ["*test_nested.<locals>.body: FAIL (raised) after 1 schedules: *lost an update: 1*"]
    )


def test_a_token_of_another_function_is_refused_naming_its_own(project):
    first = project.runpytest_subprocess(
        "-p", "no:cacheprovider", "tests/test_pool.py::test_package_function"
    )
    token = tokens(first.stdout.lines)["test_package_function"].split()[-1]
    result = project.runpytest_subprocess(
        "-p", "no:cacheprovider", "tests/test_pool.py::test_nested", "--interlock-replay", token
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "interlock: refused: the replay token is a token of function mypools.counter:race "
            "(explore, sync granularity), not of function test_pool:test_nested.<locals>.body"
        ]
    )


SHARDED = """
import json
import os
import threading


def safe():
    lock = threading.Lock()
    box = {"n": 0}

    def add():
        with lock:
            box["n"] += 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_runs(interlock):
    explored = interlock.explore(safe)
    verified = interlock.verify("executor_map", ["tiny"])
    out = {"schedules": list(explored.schedules), "verify_runs": verified.runs}
    with open(os.environ["SHARD_OUT"], "w") as f:
        json.dump(out, f)
"""


def test_shards_cover_the_budget_with_no_overlap(pytester, monkeypatch):
    pytester.makepyfile(test_sharded=SHARDED)
    pytester.makeini("[pytest]\ninterlock_runs = 9\n")
    seen = {}
    for shard in (None, "1/2", "2/2"):
        out = pytester.path / f"out-{(shard or 'all').replace('/', '-')}.json"
        monkeypatch.setenv("SHARD_OUT", str(out))
        args = ["-p", "no:cacheprovider"] + (["--interlock-shard", shard] if shard else [])
        pytester.runpytest_subprocess(*args).assert_outcomes(passed=1)
        seen[shard] = json.loads(out.read_text())
    whole, one, two = seen[None], seen["1/2"], seen["2/2"]
    assert len(whole["schedules"]) == 9
    assert sorted(one["schedules"] + two["schedules"]) == sorted(whole["schedules"])
    assert (len(one["schedules"]), len(two["schedules"])) == (5, 4)
    assert one["verify_runs"] + two["verify_runs"] == whole["verify_runs"]
    assert 0 < one["verify_runs"] < whole["verify_runs"]


def test_a_bad_shard_names_where_it_came_from(pytester):
    pytester.makepyfile(test_x="def test_x():\n    pass\n")
    pytester.makeini("[pytest]\ninterlock_shard = 3/2\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*Invalid interlock shard from ini file: --shard must be K/N with 1 <= K <= N (got '3/2')"]
    )
