"""A subject that signals its own process (``os.kill(os.getpid(), SIGTERM)``, SIGKILL,
``signal.raise_signal``, ``os.abort()``) runs in the verifier's process under the
controlled runtime: delivered for real, the signal killed interlock with no report
(exit 143 or 137). It is modelled instead, by what its disposition would do: a signal
whose default action ends the process ends the run there, a ``no_crash`` violation
with the place named and a token that replays it, as ``os._exit`` does.

Each verify runs in a process of its own, so a regression kills that process, not
the test session.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.timeout(180)

TEMPLATE = textwrap.dedent(
    """
    import os
    import signal
    import threading


    def download_all(urls, fetch, limit):
        results = []

        def worker():
            for url in urls:
                try:
                    results.append(fetch(url))
                except OSError as exc:
                    results.append(exc)
            {signal_call}

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        return results
    """
)


def _verify(tmp_path, signal_call: str) -> tuple[int, dict, str]:
    path = tmp_path / "signals_itself.py"
    path.write_text(TEMPLATE.format(signal_call=signal_call))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "interlock",
            "verify",
            f"{path}:download_all",
            "--scenario",
            "tiny",
            "--runs",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=tmp_path,
    )
    report = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, report, done.stderr


def _verdicts(report) -> dict:
    (subject,) = report["targets"]
    return {v["invariant"]: v for v in subject["verdicts"]}


@pytest.mark.parametrize(
    ("call", "named"),
    [
        ("os.kill(os.getpid(), signal.SIGTERM)", "SIGTERM would kill the process"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "SIGKILL would kill the process"),
        ("signal.raise_signal(signal.SIGUSR1)", "SIGUSR1 would kill the process"),
        ("os.abort()", "SIGABRT would kill the process"),
    ],
)
def test_a_signal_that_would_kill_the_process_is_a_crash_not_the_end_of_interlock(
    tmp_path, call, named
):
    code, report, err = _verify(tmp_path, call)
    assert code == 1, (code, err)  # a violation found, not killed (143, 137, 134)
    crash = _verdicts(report)["no_crash"]
    assert not crash["holds"]
    assert named in crash["message"], crash["message"]
    assert "signals_itself.py:" in crash["message"]  # where, with file:line


@pytest.mark.parametrize(
    "call",
    ["os.kill(os.getpid(), 0)", "os.kill(os.getpid(), signal.SIGCHLD)"],
)
def test_a_signal_that_would_not_end_the_process_changes_nothing(tmp_path, call):
    code, report, err = _verify(tmp_path, call)
    assert code == 0, (code, err)
    assert all(v["holds"] for v in _verdicts(report).values() if not v["advisory"])
