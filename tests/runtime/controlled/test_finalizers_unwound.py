"""A run stopped while a thread is inside a ``__del__`` (a finalizer that takes a lock,
run by ``gc.collect()``) unwinds that thread with interlock's Aborted, which a
finalizer cannot let out: Python printed "Exception ignored in ..." with a traceback
through interlock's internals for every one, 44,821 lines of stderr for one true
deadlock. They are interlock's own, and are not printed; the subject's own
exceptions in a finalizer still are.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.timeout(180)

SUBJECT = textwrap.dedent(
    """
    import gc
    import threading


    class Ticket:
        def __init__(self, lock):
            self.lock = lock
            self.me = self  # a cycle: only the collector frees it

        def __del__(self):
            with self.lock:  # taken by the thread that is collecting: a self-deadlock
                pass


    class Loud:
        def __init__(self):
            self.me = self

        def __del__(self):
            raise ValueError("the subject's own")


    def download_all(urls, fetch, limit):
        lock = threading.Lock()
        Loud()
        results = []
        for url in urls:
            Ticket(lock)
            try:
                results.append(fetch(url))
            except OSError as exc:
                results.append(exc)
            with lock:
                gc.collect()
        return results
    """
)


def test_a_deadlock_inside_a_finalizer_is_reported_without_interlocks_tracebacks(tmp_path):
    path = tmp_path / "finalizer_deadlock.py"
    path.write_text(SUBJECT)
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
            "5",
        ],
        capture_output=True,
        text=True,
        timeout=150,
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "FAIL no_deadlock" in done.stdout or "FAIL terminates" in done.stdout, done.stdout
    assert "Aborted" not in done.stderr, done.stderr[-2000:]
    assert "_primitives.py" not in done.stderr
    assert "ValueError: the subject's own" in done.stderr  # the subject's: printed as ever
