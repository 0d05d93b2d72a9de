"""``interlock bench`` prints every figure it promises (a smoke run; the numbers are not judged)."""

from __future__ import annotations

import re

import pytest

from interlock.cli import main


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
    assert re.search(r"^  controlled\s+[\d.]+ ms$", out, re.M)
    assert re.search(r"real threading.Lock, uncontended\s+[\d.]+ us", out)
    assert re.search(r"^  cost of a point per line +[\d.-]+ us$", out, re.M)
    # One run at scale, in a fresh process per size: time, time per URL, memory per URL.
    for urls in ("100", "1000", "10000"):
        assert re.search(
            rf"^ +{urls} URLs +[\d.]+ ms +[\d.]+ us/URL  peak memory added +[\d.]+ KB/URL$",
            out,
            re.M,
        ), urls
    # article_queue's off-by-one is found by the random strategy on the one seed.
    assert re.search(r"article_queue: 5 in flight, limit 4\s+[\d.]+ ms 1/1", out)
    for label in ("empty()/get() race", "deadlock on failure", "unbounded at limit <= 2"):
        assert label in out
