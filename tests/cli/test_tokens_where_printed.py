"""Tokens replay where they are printed: from the project's root, pasted as a PR
comment wraps them, naming whose they are, and saying so (exit 3) when they no longer
apply."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from interlock.replay import ReplayToken
from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(300)

# A lost update between two locked sections: found in a few schedules.
RACE = textwrap.dedent(
    """
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
)
# The fix keeps every lock call, so the recorded schedule still fits: it just passes.
FIXED = RACE.replace('box["n"] = seen + 1', 'box["n"] += 1')
assert FIXED != RACE
# The same race with one more thread first: the recorded schedule no longer fits.
CHANGED = RACE.replace("for _ in range(2)", "for _ in range(3)").replace("== 2", "== 3")


@pytest.fixture
def project(tmp_path, monkeypatch, request):
    """A project root holding a package of its own, the working directory, and not on
    sys.path (as for a user who runs the ``interlock`` script from there)."""
    package = f"pools_{request.node.name.replace('[', '_').replace(']', '').replace('-', '_')}"
    (tmp_path / package).mkdir()
    (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / package / "counter.py").write_text(RACE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    yield tmp_path, package
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def token_in(text: str) -> str:
    return next(word for word in text.split() if word.startswith("il1."))


def rewrite(path, text: str) -> None:
    """Change a module of the project, as an edit would, and drop its cached bytecode:
    an edit of the same size within the same second of the first import would
    otherwise be taken for the old module (the cache checks size and whole seconds)."""
    import shutil

    path.write_text(text)
    shutil.rmtree(path.parent / "__pycache__", ignore_errors=True)


def forget(package: str) -> None:
    """Drop the package from sys.modules, as a new process would start."""
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


class TestImportsFromTheWorkingDirectory:
    """``module:function`` imports from the working directory, as ``python -m`` does."""

    def test_explore_finds_a_package_of_the_project(self, capsys, project):
        _, package = project
        code, out, err = run(capsys, "explore", f"{package}.counter:race")
        assert (code, err) == (1, "")
        assert f"{package}.counter:race: FAIL (raised)" in out

    def test_its_token_replays_from_there(self, capsys, project):
        _, package = project
        _, out, _ = run(capsys, "explore", f"{package}.counter:race")
        forget(package)
        code, out, err = run(capsys, "replay", token_in(out))
        assert (code, err) == (1, "")
        assert out.splitlines()[0] == (
            f"token of function {package}.counter:race (explore, sync granularity)"
        )
        assert out.rstrip().endswith("failed the same way as when the token was made")

    def test_sys_path_is_put_back(self, capsys, project):
        root, package = project
        before = list(sys.path)
        run(capsys, "explore", f"{package}.counter:race")
        assert sys.path == before and str(root) not in sys.path


class TestARelativeFileTarget:
    """A file target is recorded as the file it named, and replays from there."""

    def test_explore_records_the_path_as_named(self, capsys, project):
        _, package = project
        code, out, _ = run(capsys, "explore", f"{package}/counter.py:race")
        assert code == 1
        assert ReplayToken.decode(token_in(out)).target == f"{package}/counter.py:race"
        code, out, _ = run(capsys, "replay", token_in(out))
        assert code == 1 and "failed the same way" in out

    def test_a_function_loaded_from_a_path_is_named_by_its_path(self, project):
        from interlock import explore
        from interlock.subjects import load_callable

        _, package = project
        fn = load_callable(f"{package}/counter.py:race")  # a module named by a hash
        result = explore(fn)
        assert result.target == f"{package}/counter.py:race"
        assert ReplayToken.decode(result.failure.replay).target == result.target


class TestAPastedToken:
    """Wrapped across lines, indented, quoted with ``>``, or split into arguments."""

    def test_quoted_and_wrapped(self, capsys, project):
        _, package = project
        _, out, _ = run(capsys, "explore", f"{package}.counter:race")
        token = token_in(out)
        pasted = "\n".join(f">   {token[i : i + 30]}" for i in range(0, len(token), 30))
        code, out, _ = run(capsys, "replay", pasted)
        assert code == 1 and "failed the same way" in out

    def test_split_into_arguments_by_the_shell(self, capsys, project):
        _, package = project
        _, out, _ = run(capsys, "explore", f"{package}.counter:race")
        token = token_in(out)
        code, out, _ = run(capsys, "replay", token[:25], token[25:50], token[50:])
        assert code == 1 and "failed the same way" in out

    def test_from_stdin(self, capsys, project, monkeypatch):
        import io

        _, package = project
        _, out, _ = run(capsys, "explore", f"{package}.counter:race")
        monkeypatch.setattr(sys, "stdin", io.StringIO("> " + token_in(out) + "\n"))
        code, out, _ = run(capsys, "replay", "-")
        assert code == 1 and "failed the same way" in out


STALE_LINE = "interlock: the token no longer applies: {}; --recheck explores today's code afresh\n"


class TestATokenThatNoLongerApplies:
    """Exit 3, one line saying why; ``--recheck`` explores today's code afresh."""

    def token(self, capsys, package: str) -> str:
        _, out, _ = run(capsys, "explore", f"{package}.counter:race")
        forget(package)
        return token_in(out)

    def test_a_fix_landed(self, capsys, project):
        root, package = project
        token = self.token(capsys, package)
        rewrite(root / package / "counter.py", FIXED)
        code, out, err = run(capsys, "replay", token)
        assert code == 3
        assert err == STALE_LINE.format(
            "its schedule runs to the end without failing today (a fix landed?)"
        )
        assert out == f"token of function {package}.counter:race (explore, sync granularity)\n"

    def test_the_code_changed(self, capsys, project):
        root, package = project
        token = self.token(capsys, package)
        rewrite(root / package / "counter.py", CHANGED)
        code, _, err = run(capsys, "replay", token)
        assert code == 3
        assert err == STALE_LINE.format(
            "its schedule diverges from today's code (the code changed since the token was made)"
        )

    def test_recheck_after_a_fix_is_clean(self, capsys, project):
        root, package = project
        token = self.token(capsys, package)
        rewrite(root / package / "counter.py", FIXED)
        code, out, _ = run(capsys, "replay", token, "--recheck")
        assert code == 0
        assert f"{package}.counter:race: no failure in 500 schedules" in out

    def test_recheck_of_changed_code_that_still_races(self, capsys, project):
        root, package = project
        token = self.token(capsys, package)
        rewrite(root / package / "counter.py", CHANGED)
        code, out, _ = run(capsys, "replay", token, "--recheck")
        assert code == 1
        assert "FAIL (raised)" in out and "lost an update" in out

    def test_a_subject_token_whose_schedule_diverges(self, capsys):
        _, out, _ = run(capsys, "verify", "article_queue", "--scenario", "tiny", "--runs", "20")
        token = ReplayToken.decode(token_in(out))
        # Thread 99 never exists: the schedule does not fit the run.
        from dataclasses import replace

        wrong = replace(token, decisions=(99,) * len(token.decisions)).encode()
        code, out, err = run(capsys, "replay", wrong)
        assert code == 3
        assert "its schedule diverges from today's code" in err
        assert (
            out
            == "token of subject article_queue (scenario its own scenario, controlled runtime)\n"
        )

    def test_recheck_of_a_subject_token(self, capsys):
        _, out, _ = run(capsys, "verify", "article_queue", "--scenario", "tiny", "--runs", "20")
        code, out, _ = run(capsys, "replay", token_in(out), "--recheck", "--format", "table")
        assert code == 1
        assert "article_queue" in out and "FAIL" in out

    def test_the_exit_codes_are_in_the_help(self, capsys):
        for argv in (["--help"], ["replay", "--help"]):
            with pytest.raises(SystemExit):
                run(capsys, *argv)
            out = capsys.readouterr().out
            assert "3 (replay) the token no longer applies" in " ".join(out.split())


class TestANestedFunction:
    """Cannot be imported: the report and ``interlock replay`` give the exact command."""

    def test_interlock_replay_names_the_pytest_command(self, capsys):
        token = ReplayToken(
            "tests.x:test_a.<locals>.body",
            "sync",
            "explore",
            "random",
            1,
            (1,),
            "0",
            node="t.py::a",
        ).encode()
        code, out, err = run(capsys, "replay", token)
        assert code == 2
        assert err == (
            "interlock: error: tests.x:test_a.<locals>.body is a nested function or a lambda; "
            f"replay it with: pytest t.py::a --interlock-replay {token}\n"
        )

    def test_outside_a_test_the_report_names_the_call(self, monkeypatch):
        from interlock import explore

        monkeypatch.delenv("PYTEST_CURRENT_TEST")
        namespace: dict = {}
        exec(RACE, namespace)  # a function no module holds
        result = explore(lambda: namespace["race"]())
        assert result.failure.command.startswith('explore(fn, replay="il1.')
        assert "in the code that defines tests.cli.test_tokens_where_printed:" in (
            result.failure.command
        )


def interlock_script() -> str:
    return str(Path(sys.executable).with_name("interlock"))


def test_a_script_run_as_main_is_named_by_its_file(tmp_path):
    """``python race.py`` explores ``__main__.race``: the token names the file, and
    ``interlock replay`` runs from the same place."""
    (tmp_path / "race.py").write_text(
        RACE + "\nif __name__ == '__main__':\n    import interlock\n"
        "    print(interlock.explore(race).report())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_CURRENT_TEST")}
    made = subprocess.run(
        [sys.executable, "race.py"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    token = token_in(made.stdout)
    assert ReplayToken.decode(token).target == "race.py:race"
    done = subprocess.run(
        [interlock_script(), "replay", token], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert "failed the same way as when the token was made" in done.stdout
