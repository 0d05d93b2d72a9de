"""Bad input: one line naming the problem on stderr, exit code 2, no traceback."""

from __future__ import annotations

import pytest

from interlock.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("argv", "pattern"),
    [
        (["verify", "no_such_subject"], r"unknown target 'no_such_subject'"),
        (["verify", "missing/file.py:download_all"], r"no such file 'missing/file.py'"),
        (
            ["verify", "interlock.no_such_module:f"],
            r"cannot import module 'interlock.no_such_module'",
        ),
        (["verify", "interlock.subjects:no_such_function"], r"has no function 'no_such_function'"),
        (["verify", "interlock.subjects:load_target"], r"must take \(urls, fetch, limit\)"),
        (["verify", "article_queue", "--scenario", "no_such_scenario"], r"no_such_scenario"),
        (["verify", "--runs", "0"], r"--runs must be >= 1 \(got 0\)"),
        (["verify", "--runs", "many"], r"--runs must be a whole number \(got 'many'\)"),
        (["verify", "--runtime", "os"], r"invalid choice: 'os'"),
        (["verify", "article_queue", "--strategy", "nonsense"], r"unknown strategy 'nonsense'"),
        (["replay", "garbage"], r"not a replay token"),
        (["replay", "il1.@@@@"], r"replay token is damaged"),
        (["frobnicate"], r"invalid choice: 'frobnicate'"),
        ([], r"required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, pattern):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("interlock: error: ")
    assert "Traceback" not in err
    import re

    assert re.search(pattern, lines[0]), lines[0]


def test_malformed_scenario_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("limit = 0\n")
    code, _, err = run_cli(capsys, "verify", "article_queue", "--scenario", str(bad))
    assert code == 2
    assert "limit" in err and "got 0" in err
    assert len(err.strip().splitlines()) == 1


def test_broken_toml_file(tmp_path, capsys):
    bad = tmp_path / "broken.toml"
    bad.write_text("limit = = 3\n")
    code, _, err = run_cli(capsys, "verify", "article_queue", "--scenario", str(bad))
    assert code == 2
    assert "broken.toml" in err
    assert len(err.strip().splitlines()) == 1


def test_target_file_that_fails_to_import(tmp_path, capsys):
    bad = tmp_path / "oops.py"
    bad.write_text("raise RuntimeError('boom')\n")
    code, _, err = run_cli(capsys, "verify", f"{bad}:download_all")
    assert code == 2
    assert "importing" in err and "RuntimeError: boom" in err


def test_target_that_exits_at_import(tmp_path, capsys):
    bad = tmp_path / "exits.py"
    bad.write_text(
        "import sys\nsys.exit(3)\n\ndef download_all(urls, fetch, limit):\n    return []\n"
    )
    code, out, err = run_cli(capsys, "verify", f"{bad}:download_all")
    assert (code, out) == (2, "")
    assert (
        err.strip()
        == f"interlock: error: importing {str(bad)!r} failed: it called sys.exit(3) at import"
    )


def test_async_download_all_is_refused(tmp_path, capsys):
    bad = tmp_path / "aio.py"
    bad.write_text("async def download_all(urls, fetch, limit):\n    return []\n")
    code, out, err = run_cli(capsys, "verify", f"{bad}:download_all")
    assert (code, out) == (2, "")
    assert len(err.strip().splitlines()) == 1
    assert "is an async function" in err and "Traceback" not in err


def test_a_misspelt_subject_gets_a_suggestion_and_a_file_its_function(capsys):
    code, out, err = run_cli(capsys, "verify", "article_queu")
    assert code == 2 and out == ""
    assert (
        err.strip()
        == "interlock: error: unknown target 'article_queu': did you mean 'article_queue'?"
    )
    code, _, err = run_cli(capsys, "verify", "pool.py")
    assert code == 2
    assert err.strip() == (
        "interlock: error: unknown target 'pool.py': name its function, e.g. pool.py:download_all"
    )


def test_version(capsys):
    import interlock
    from interlock.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"interlock {interlock.__version__}"


def test_options_that_would_be_ignored_are_refused(capsys):
    code, out, err = run_cli(
        capsys, "verify", "executor_map", "--runtime", "threads", "--strategy", "pct"
    )
    assert code == 2 and out == "" and "--strategy applies to the controlled runtime only" in err
    code, out, err = run_cli(
        capsys, "verify", "executor_map", "--scenario", "tiny", "--generated", "3"
    )
    assert code == 2 and out == "" and "--generated applies only without --scenario" in err


def test_a_misspelt_invariant_in_breaks_is_refused_when_the_subject_loads(tmp_path, capsys):
    path = tmp_path / "typo.py"
    path.write_text(
        'BREAKS = {"max_inflight": "too many"}\n'
        "def download_all(urls, fetch, limit):\n"
        "    return [fetch(u) for u in urls]\n"
    )
    code, out, err = run_cli(capsys, "verify", f"{path}:download_all")
    assert code == 2 and out == ""
    assert err.strip().endswith(
        "BREAKS names no invariant 'max_inflight' (did you mean 'max_in_flight'?)"
    )
