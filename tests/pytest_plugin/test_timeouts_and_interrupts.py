"""A test's timeout fires on time inside a verification, and Ctrl-C ends interlock at
once: exit 130, nothing printed as if the verification had finished."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.timeout(120)

SLOW_POOL = """
def download_all(urls, fetch, limit):
    # Correct, and slow in real time: every run burns CPU between two points (a count,
    # not a clock: a clock read here would be the scheduler's virtual one).
    for _ in range(2_000_000):
        pass
    return [fetch(url) for url in urls]
"""

TIMED_OUT = """
import pytest
import slow_pool

@pytest.mark.timeout(3, method="signal")
def test_takes_too_long(interlock):
    interlock.assert_holds(slow_pool.download_all, scenarios=["tiny"])
"""


def test_pytest_timeouts_signal_method_fires_inside_a_verification(pytester):
    pytester.makepyfile(slow_pool=SLOW_POOL, test_timed_out=TIMED_OUT)
    pytester.makeini("[pytest]\ninterlock_runs = 400\n")
    start = time.monotonic()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    elapsed = time.monotonic() - start
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*Timeout*"])
    # 400 runs of 0.2 s would take 80 s: the 3 s timeout must end it well before.
    assert elapsed < 40, elapsed


SELF_INTERRUPTING = textwrap.dedent(
    """
    import os
    import signal
    import time

    def download_all(urls, fetch, limit):
        os.kill(os.getpid(), signal.SIGINT)  # as a Ctrl-C during the run
        while True:
            try:
                time.sleep(0.1)
            except BaseException:
                pass  # a subject that swallows everything
    """
)


def test_ctrl_c_during_verify_exits_130_with_nothing_on_stdout(tmp_path):
    target = tmp_path / "interrupts.py"
    target.write_text(SELF_INTERRUPTING)
    start = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "interlock",
            "verify",
            f"{target}:download_all",
            "--scenario",
            "tiny",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # see below
    )
    assert done.returncode == 130, (done.returncode, done.stderr[-500:])
    assert done.stdout == ""
    assert done.stderr.strip() == "interlock: interrupted"
    assert time.monotonic() - start < 20


def test_ctrl_c_from_outside_ends_a_long_verify(tmp_path):
    target = tmp_path / "slow.py"
    target.write_text(SLOW_POOL)
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "interlock", "verify", f"{target}:download_all"),
            *("--runs", "1000", "--progress"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        # Ctrl-C as a terminal delivers it, even when these tests run as a background job
        # (which starts with SIGINT ignored, and interlock then keeps ignoring it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    # Wait until it is exploring (its first progress line), then press Ctrl-C.
    first = proc.stderr.readline()
    assert first.startswith("interlock: "), first
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err[-500:]
    assert out == "" and err.strip().endswith("interlock: interrupted")
    assert time.monotonic() - start < 10


def test_a_verify_started_with_ctrl_c_ignored_keeps_ignoring_it(tmp_path):
    target = tmp_path / "slow.py"
    target.write_text(SLOW_POOL)
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "interlock", "verify", f"{target}:download_all"),
            *("--scenario", "single", "--scenario", "tiny", "--runs", "10", "--progress"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as nohup does
    )
    first = proc.stderr.readline()
    assert first.startswith("interlock: "), first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-500:]  # it ran to its end: no violation, no 130
    assert "FAIL" not in out and "interrupted" not in err
