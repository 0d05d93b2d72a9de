"""Every page in docs/ holds commands that run: each ``interlock`` command in a page's
``sh`` blocks runs here, and exits as a user would expect (0 held, 1 a violation shown),
never with a usage error or a traceback; each Python block compiles."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").glob("use-*.md"))

pytestmark = pytest.mark.timeout(300)


def blocks(page: Path, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", page.read_text(), re.S | re.M)


def commands(page: Path) -> list[str]:
    return [
        line.strip()
        for block in blocks(page, "sh")
        for line in block.splitlines()
        if line.strip().startswith("interlock ")
    ]


def test_there_is_a_page_per_use():
    names = {p.stem for p in PAGES}
    assert names == {
        "use-verify",
        "use-add-a-pattern",
        "use-explore",
        "use-the-plugin",
        "use-read-a-counterexample",
    }


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_command_in_a_page_runs(page, tmp_path):
    for command in commands(page):
        argv = shlex.split(command.replace("/tmp/patterns", str(tmp_path)))
        done = subprocess.run(
            [sys.executable, "-m", *argv],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode in (0, 1), (command, done.returncode, done.stderr[-500:])
        assert "Traceback" not in done.stderr, (command, done.stderr[-800:])
        assert done.stdout.strip(), command


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_python_block_compiles(page):
    for block in blocks(page, "python"):
        compile(block, str(page), "exec")


def test_the_explore_page_shows_a_failure_for_each_example():
    for command in commands(ROOT / "docs" / "use-explore.md"):
        done = subprocess.run(
            [sys.executable, "-m", *shlex.split(command)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1 and "FAIL (raised)" in done.stdout, command
