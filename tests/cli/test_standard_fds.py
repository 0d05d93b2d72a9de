"""A subject run in interlock's own process can point file descriptors 1 and 2 at
/dev/null and never put them back; the report must still reach the terminal.

Before: ``verify`` of such a subject exited 0 with nothing on stdout, even with
``--json`` (the controlled runtime runs subjects in the verifier's process).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.timeout(120)

SUBJECT = textwrap.dedent(
    """
    import os


    def download_all(urls, fetch, limit):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
        results = []
        for url in urls:
            try:
                results.append(fetch(url))
            except OSError as exc:
                results.append(exc)
        return results
    """
)


def test_the_report_reaches_the_terminal_after_the_subject_silenced_fds_1_and_2(tmp_path):
    # In a process of its own: only there are fds 1 and 2 the real ones.
    path = tmp_path / "silencer.py"
    path.write_text(SUBJECT)
    args = ["verify", f"{path}:download_all", "--scenario", "tiny", "--runs", "3", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "interlock", *args],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report  # the verdicts, not an empty stdout
