"""``interlock.assert_explores_ok`` in a test suite, under pytest-xdist (pytester)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(120)

TESTS = """
import threading

import interlock


def racy():
    box = {"n": 0}
    lock = threading.Lock()

    def add():
        seen = box["n"]
        with lock:
            box["n"] = seen + 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2


def safe():
    box = {"n": 0}
    lock = threading.Lock()

    def add():
        with lock:
            box["n"] += 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2


def test_racy():
    interlock.assert_explores_ok(racy, runs=100)


def test_safe():
    interlock.assert_explores_ok(safe, runs=50)
"""


@pytest.mark.parametrize("workers", [None, "2"])
def test_a_failing_exploration_fails_its_test_with_the_report_and_token(pytester, workers):
    pytester.makepyfile(test_counter=TESTS)
    args = ["-p", "no:cacheprovider"] + (["-n", workers] if workers else [])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*racy: FAIL (raised) after * schedules: racy raised AssertionError*test_counter.py:*",
            "*replay: interlock replay il1.*",
        ]
    )


PLAIN = """
import threading


def plain_lines():
    box = {"n": 0}

    def add():
        seen = box["n"]
        box["n"] = seen + 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2, box["n"]


def test_plain_lines(interlock):
    interlock.assert_explores_ok(plain_lines)
"""


def test_the_fixture_explores_with_the_sessions_settings(pytester):
    pytester.makepyfile(test_plain=PLAIN)
    # At synchronisation points (the default) the race between plain lines is invisible...
    pytester.makeini("[pytest]\ninterlock_runs = 100\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    # ... the ini key makes a point before each line, and the test fails with the token.
    pytester.makeini("[pytest]\ninterlock_runs = 100\ninterlock_granularity = line\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*replay: interlock replay il1.*"])
    # An option overrides the ini file; a bad value is a usage error naming it.
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--interlock-granularity", "sync"
    )
    result.assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--interlock-granularity", "word"
    )
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*Invalid interlock granularity 'word' from command line*"])
