"""The pytest plugin's failure messages and usage errors, in real pytest sessions (pytester).

Each session runs several small tests on the real-threads runtime (set in the
ini file) on the one-URL scenario, so a check costs a forked run or two.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(120)

INI = "[pytest]\ninterlock_runtime = threads\ninterlock_runs = 1\n"

LOSSY = """
BREAKS = {"no_lost_results": "drops the last result"}

def download_all(urls, fetch, limit):
    return [fetch(url) for url in urls][:-1]
"""

VERDICTS = """
import lossy

def test_holds_on_a_lossy_function(interlock):
    interlock.assert_holds(lossy.download_all, scenarios=["single"])

def test_breaks_on_a_correct_pool(interlock):
    interlock.assert_breaks("executor_map", "max_in_flight", scenarios=["single"])

def test_declared_breaks_come_from_the_module(interlock):
    report = interlock.verify(lossy.download_all, ["single"])
    assert report.subject.breaks == {"no_lost_results": "drops the last result"}
    assert report.broken() == {"no_lost_results"}
"""

USAGE = """
import pytest

@pytest.mark.interlock(3)
def test_positional_marker(interlock):
    pass

def test_not_a_target(interlock):
    interlock.verify(42)

def test_unknown_scenario(interlock):
    interlock.verify("executor_map", ["no_such_scenario"])

def test_unknown_subject(interlock):
    interlock.verify("no_such_subject")
"""


def test_verdicts_explain_themselves(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(lossy=LOSSY, test_verdicts=VERDICTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["interlock: runtime=threads, seed=0, runs=1"])
    # assert_holds on a function: its name, the broken invariant, the scenario, a timeline.
    result.stdout.fnmatch_lines(
        [
            "*interlock: lossy:download_all broke 1 invariant(s) in 1 runs",
            "*no_lost_results: * [[]scenario single[]]",
            "lossy:download_all breaks no_lost_results: the claim is *",
            "scenario: single: 1 URLs, limit 4, 0 failing",
        ]
    )
    assert "replay:" not in result.stdout.str()  # real threads cannot be replayed
    # assert_breaks on a correct pool says what held.
    result.stdout.fnmatch_lines(
        ["*executor_map: expected max_in_flight to break, but it held in 1 runs"]
    )


def test_usage_errors_name_the_problem(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(test_usage=USAGE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) == 0
    assert outcomes.get("failed", 0) + outcomes.get("errors", 0) == 4
    text = result.stdout.str() + result.stderr.str()
    for message in (
        "the interlock marker takes keywords only (seed=, runs=, runtime=, generated=, ",
        "interlock target must be a name or a function (got 42)",
        "no_such_scenario",
        "unknown target 'no_such_subject'",
    ):
        assert message in text


def test_a_function_given_to_the_fixture_keeps_its_modules_promises_and_breaks():
    # The fixture reads a module-level download_all's metadata as verify does: a
    # fail-fast subject's promises (and so its extra checks) are not dropped.
    from interlock.implementations import fail_fast_pool
    from interlock.pytest_plugin import _subject

    subject = _subject(fail_fast_pool.download_all)
    assert subject.promises.fail_fast and subject.promises.ordered
