"""``interlock show SUBJECT`` and ``interlock new NAME``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.kit import run_cli

pytestmark = pytest.mark.timeout(120)

CORRECT = """
from concurrent.futures import ThreadPoolExecutor


def download_all(urls, fetch, limit):
    def one(url):
        try:
            return fetch(url)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=limit) as pool:
        return list(pool.map(one, urls))
"""


def test_show_tells_the_origin_and_why_each_break(capsys):
    code, out, _ = run_cli(capsys, "show", "empty_check_pool")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "empty_check_pool"
    assert lines[1].startswith("  origin: ")
    assert any(line.startswith("    clean_shutdown: Two workers") for line in lines)
    assert lines[-1] == "  fixed by: end_marker_pool"
    code, _, err = run_cli(capsys, "show", "no_such")
    assert code == 2 and "unknown target" in err


def test_show_tells_what_a_subject_promises(capsys):
    code, out, _ = run_cli(capsys, "show", "fail_fast_pool")
    assert code == 0
    assert "  promises: ordered results, fail-fast" in out.splitlines()
    _, plain, _ = run_cli(capsys, "show", "article_semaphore")
    assert "promises" not in plain


def test_new_writes_a_subject_and_a_test_that_fails_until_it_is_written(tmp_path, capsys):
    code, out, _ = run_cli(capsys, "new", "my_pool", "--dir", str(tmp_path))
    assert code == 0 and "interlock verify" in out
    module, test = tmp_path / "my_pool.py", tmp_path / "test_my_pool.py"
    assert 'NAME = "my_pool"' in module.read_text()

    def pytest_there():
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert pytest_there().returncode == 1  # download_all is not written yet
    text = module.read_text()
    start = text.index("def download_all")
    module.write_text(text[:start] + CORRECT)
    done = pytest_there()
    assert done.returncode == 0, done.stdout[-800:]
    code, _, err = run_cli(capsys, "new", "my_pool", "--dir", str(tmp_path))
    assert code == 2 and "exists already: nothing written" in err
    code, _, err = run_cli(capsys, "new", "my-pool", "--dir", str(tmp_path))
    assert code == 2 and "must be a Python identifier" in err
