"""``interlock bench`` prints every figure it promises (a smoke run; the numbers are not judged)."""

from __future__ import annotations

import os
import re
import threading

import pytest

import interlock
from interlock.cli import main
from interlock.subjects import builtin_subjects


@pytest.mark.timeout(300)
def test_quick_bench_prints_every_section(capsys):
    assert main(["bench", "--quick", "--seeds", "1"]) == 0
    out, _ = capsys.readouterr()
    assert "Could not open document" not in out  # the subjects' own prints are kept out
    assert re.search(
        r"^  controlled\s+\d+ /s   \(\d+ us a run, of which checking \d+ us\)$", out, re.M
    )
    assert re.search(r"^  threads\s+\d+ /s", out, re.M)
    assert re.search(
        r"^  floor\s+\d+ /s   \(bare greenlet scheduler, .* [\d.]+ x its rate\)$", out, re.M
    )
    # The true lower bound, timed in the same rounds, and interlock's time as a multiple of it.
    assert re.search(
        r"^  no scheduler\s+\d+ /s   \(CPython's own threads, instant downloads: .* "
        r"controlled end to end takes [\d.]+ x its time a run\)$",
        out,
        re.M,
    )
    assert re.search(r"^  controlled\s+[\d.]+ ms$", out, re.M)
    assert re.search(r"real threading.Lock, uncontended\s+[\d.]+ us", out)
    assert re.search(r"^  cost of a point per line +[\d.-]+ us$", out, re.M)
    # One run at scale, in a fresh process per size after a first run of one URL: time,
    # time per URL, memory per URL as the OS and as the Python heap count it.
    for urls in ("100", "1000", "10000"):
        assert re.search(
            rf"^ +{urls} URLs +[\d.]+ ms +[\d.]+ us/URL  peak memory added +([\d.]+ KB/URL|none the OS saw)"
            r"  \(Python heap +[\d.]+ KB/URL\)$",
            out,
            re.M,
        ), urls
    # verify --jobs 2 against --jobs 1, and the speed-up computed from the two medians.
    serial = re.search(
        r"^  --jobs 1 +([\d.]+) s   \(the subjects' own times: [\d.]+ s\)$", out, re.M
    )
    parallel = re.search(
        r"^  --jobs 2 +([\d.]+) s   \(the subjects' own times: [\d.]+ s\)$", out, re.M
    )
    speedup = re.search(
        r"^  speed-up +([\d.]+) x   \(\d+ cores, load average [\d.]+ before; the split allows [\d.]+ x\)$",
        out,
        re.M,
    )
    assert serial and parallel and speedup
    ratio = float(serial.group(1)) / float(parallel.group(1))
    assert float(speedup.group(1)) > 0
    assert float(speedup.group(1)) == pytest.approx(ratio, rel=0.05)  # from the rounded seconds
    # article_queue's off-by-one is found by the random strategy on the one seed.
    assert re.search(r"article_queue: 5 in flight, limit 4\s+[\d.]+ ms 1/1", out)
    for label in ("empty()/get() race", "deadlock on failure"):
        assert label in out
    # Then every known bug of every built-in subject, on generated scenarios: the
    # random strategy finds each one the small scopes show on the one seed.
    generated = out.split("  on generated scenarios:\n", 1)[1]
    for subject in builtin_subjects().values():
        for invariant in subject.breaks:
            assert re.search(rf"^    {subject.name}: {invariant} +[\d.]+ ms 1/1 ", generated, re.M)


def test_instructions_mode_counts_the_difference_between_two_batches(tmp_path, monkeypatch, capsys):
    # A stand-in valgrind: writes the callgrind summary a batch of N would have,
    # 1,000,000 for start-up plus 2,500 a run, so one run costs exactly 2,500; a batch
    # of N bare calls costs 3 each, and of N turns of the empty loop 1 each.
    fake = tmp_path / "valgrind"
    fake.write_text(
        "#!/bin/sh\n"
        'out=""; each=2500\n'
        'for a in "$@"; do case "$a" in --callgrind-out-file=*) out="${a#*=}";; '
        "--calls) each=3;; --loop) each=1;; esac; done\n"
        'for last in "$@"; do :; done\n'
        'echo "summary: $((1000000 + each * last))" > "$out"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    assert main(["bench", "--instructions"]) == 0
    out, _ = capsys.readouterr()
    lines = out.strip().splitlines()
    lower, interlock = lines[0], lines[-1]
    assert interlock.endswith("valgrind callgrind): 2,500")
    # The lower bound's batches are counted the same way (the stand-in gives them the
    # same cost), and the ratio is computed from the two counts.
    assert lower.startswith("instructions per tiny run, true lower bound")
    assert lower.endswith("no scheduler): 2,500; interlock end to end is 1.00 x it")
    # Between them, the calls a run makes by group, priced at the bare call's cost.
    assert lines[1].endswith("one bare call costs 2 instructions:")
    table = {line.split()[0]: line.split() for line in lines[2:-2]}
    assert int(table["subject"][1]) > 0
    assert table["primitives"][2] == "(" and table["primitives"][3] == "0)"
    own = re.match(r"  interlock's own code: ([\d,]+) calls a run, at least ([\d,]+) ", lines[-2])
    calls, least = (int(g.replace(",", "")) for g in own.groups())
    assert calls > 0
    assert least == pytest.approx(2 * calls, abs=2)


def test_python_calls_are_counted_by_where_their_code_lives():
    from interlock.bench import _calls, _instructions

    ours, lower = _calls.calls_per_run(_instructions.batch, _instructions.lower_bound_batch, 20)
    # The subject's own calls are the same with or without a scheduler; the lower
    # bound makes none into interlock's runtime, and interlock's run makes many.
    assert ours["subject"] == lower["subject"] > 0
    assert lower["primitives"] == lower["patches"] == lower["scheduler"] == 0
    assert ours["primitives"] > 0 and ours["patches"] > 0 and ours["scheduler"] > 0
    assert ours["check"] > 0 and lower["check"] == 0
    assert _calls.place(threading.__file__) == "stdlib"
    assert (
        _calls.place(os.path.join(os.path.dirname(interlock.__file__), "checkers", "x.py"))
        == "check"
    )


def test_instructions_mode_without_valgrind_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["bench", "--instructions"]) == 2
    _, err = capsys.readouterr()
    assert err.strip() == "interlock: error: --instructions needs valgrind on PATH"
