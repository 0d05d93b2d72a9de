"""The terminal drawing and the told story of a violation, from fixed views."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from interlock.reports import explain_of, lanes_of, story_lines

VIEWS = json.loads(Path(__file__).with_name("views_fixture.json").read_text(encoding="utf-8"))
LIMIT, DEADLOCK = VIEWS


def test_lanes_draw_one_lane_per_downloading_thread_within_100_columns():
    text = lanes_of(LIMIT, color=False)
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), max(map(len, lines))
    lanes = [line for line in lines if re.match(r"Thread-\d+ +\|", line)]
    assert [line.split()[0] for line in lanes] == [f"Thread-{n}" for n in range(3, 8)]
    # Every download is in flight at the violation: drawn with '#', its URL at its start.
    for lane, url in zip(lanes, ["u0", "u1", "u2", "u3", "u4"], strict=True):
        bar = lane.split("|")[1]
        assert bar.startswith(url + "#") and "=" not in bar
    counts = next(line for line in lines if line.startswith("in flight"))
    assert counts.split("|")[1].startswith("5")
    assert lines[-1].strip() == "^ 5 in flight at t=0.000s, limit 4"
    assert "\x1b[" not in text


def test_colour_only_when_asked_and_the_text_is_the_same_without_it():
    plain = lanes_of(LIMIT, color=False)
    coloured = lanes_of(LIMIT, color=True)
    assert "\x1b[31m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_bars_not_in_flight_at_the_violation_and_failures_are_told_apart():
    view = copy.deepcopy(LIMIT)
    view["downloads"][0]["in_flight_at_violation"] = False
    view["downloads"][1]["ok"] = False
    lanes = [line.split("|")[1] for line in lanes_of(view).splitlines() if "|" in line]
    assert "=" in lanes[0] and "#" not in lanes[0]
    assert lanes[1].rstrip().endswith("x")


def test_the_explanation_says_where_every_thread_was_with_file_and_line():
    text = explain_of(LIMIT)
    assert 'the claim is "never more than 4 downloads in flight at once"' in text
    assert "where every thread was at t=0.000s, when the limit broke:" in text
    moment = text.split("when the limit broke:")[1].split("\n\n")[0]
    assert (
        "Thread-2 (consumer)   Thread.join: waits for Thread-3 to end at article_queue.py:"
        in moment
    )
    assert len(re.findall(r"downloading u\d \(since t=", moment)) == 4
    assert "starts downloading u4: the 5th in flight" in moment
    assert "replay: interlock replay il1." in text


def test_steps_are_numbered_merged_per_thread_and_cut_after_the_moment():
    lines = story_lines(LIMIT)
    numbered = [line for line in lines if re.match(r"\d+(-\d+)?\.", line)]
    marked = [line for line in numbered if "<-- 5 in flight, limit 4" in line]
    assert len(marked) == 1 and "starts downloading u4" in marked[0]
    after = numbered[numbered.index(marked[0]) + 1 :]
    assert len(after) <= 3  # a few turns after the moment, then a summary line
    assert lines[-1].startswith("(then ") and lines[-1].endswith("more turns until the run ends)")
    assert all(" at " in line for line in numbered if "starts downloading" in line)
    # Merged lines name the range of steps they cover; the ranges rise.
    firsts = [int(re.match(r"(\d+)", line).group(1)) for line in numbered]
    assert firsts == sorted(firsts)


def test_without_steps_the_explanation_stays_on_one_screen():
    text = explain_of(LIMIT, steps=False)
    assert "step by step" not in text
    assert len(text.splitlines()) < 30


def test_a_deadlock_is_told_at_the_end_of_the_run():
    text = explain_of(DEADLOCK)
    assert "where every thread was when the run ended (deadlock):" in text
