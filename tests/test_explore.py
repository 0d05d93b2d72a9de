"""``interlock.explore``: any threaded callable over many schedules; the first failure
minimised, replayable from a token; shards that split a budget with no overlap."""

from __future__ import annotations

import json
import textwrap
import threading

import pytest

import interlock
from interlock.explorer import explore
from tests.kit import run_cli

pytestmark = pytest.mark.timeout(120)


class Counter:
    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def add(self):
        seen = self.value
        with self.lock:  # guards the write, not the read: an update can be lost
            self.value = seen + 1


def two_adders():
    counter = Counter()
    threads = [threading.Thread(target=counter.add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.value == 2, f"lost an update: {counter.value}"


def two_safe_adders():
    counter = Counter()

    def add():
        with counter.lock:
            counter.value += 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.value == 2


def test_a_lost_update_is_found_in_a_handful_of_schedules_and_minimised():
    result = explore(two_adders, runs=200, seed=0)
    assert not result.ok and result.runs <= 10
    failure = result.failure
    assert failure.kind == "raised"
    assert "AssertionError: lost an update: 1" in failure.message
    assert "test_explore.py:" in failure.message  # where it was raised
    assert failure.deterministic and failure.replay.startswith("il1.")
    # Minimised: no longer than the schedule that first failed.
    assert len(failure.decisions) <= 12
    with pytest.raises(AssertionError, match="replay: interlock replay il1."):
        result.assert_ok()


def test_correct_code_is_ok_over_the_whole_budget():
    result = explore(two_safe_adders, runs=60)
    assert result.ok and result.runs == 60 and result.failure is None
    result.assert_ok()
    interlock.assert_explores_ok(two_safe_adders, runs=20)


def test_every_kind_of_failure_is_named():
    def dies():
        t = threading.Thread(target=lambda: 1 / 0, name="divider")
        t.start()
        t.join()

    def lock_order():
        a, b = threading.Lock(), threading.Lock()

        def one():
            with a, b:
                pass

        def two():
            with b, a:
                pass

        threads = [threading.Thread(target=one), threading.Thread(target=two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def leaves_a_waiter():
        threading.Thread(target=threading.Event().wait, name="waiter").start()

    died = explore(dies, runs=5).failure
    assert died.kind == "exception" and died.message.startswith("divider died of ZeroDivisionError")
    deadlock = explore(lock_order, runs=300).failure
    assert deadlock.kind == "deadlock" and "Cycle" in deadlock.message
    left = explore(leaves_a_waiter, runs=5).failure
    assert (
        left.kind == "left_blocked"
        and "waiter stays blocked for ever in Event.wait" in left.message
    )


def test_shards_split_the_schedules_with_no_overlap_and_nothing_left_out():
    whole = explore(two_safe_adders, runs=40, seed=3)
    parts = [explore(two_safe_adders, runs=40, seed=3, shard=f"{k}/3") for k in (1, 2, 3)]
    assert sum(p.runs for p in parts) == whole.runs == 40
    merged = sorted(h for p in parts for h in p.schedules)
    assert merged == sorted(whole.schedules)
    assert all("shard" in p.coverage for p in parts)


def test_a_shard_runs_only_its_own_schedules(monkeypatch):
    from interlock import explorer

    made = []
    run = explorer._Explorer.run
    monkeypatch.setattr(
        explorer._Explorer, "run", lambda self, s, **kw: made.append(1) or run(self, s, **kw)
    )
    assert explore(two_safe_adders, runs=40, seed=3, shard="2/4").runs == 10
    assert len(made) == 10  # the series makes each from its own seed: the rest are left out


RACE = textwrap.dedent(
    """
    import threading

    total = []

    def race():
        box = {"n": 0}
        lock = threading.Lock()

        def add():
            seen = box["n"]
            with lock:
                box["n"] = seen + 1

        threads = [threading.Thread(target=add) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert box["n"] == 2, box["n"]
    """
)


def test_the_command_line_finds_replays_and_speaks_json(tmp_path, capsys):
    path = tmp_path / "race.py"
    path.write_text(RACE)
    code, out, _ = run_cli(capsys, "explore", f"{path}:race", "--json")
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"target", "ok", "runs", "coverage", "failure"}
    assert data["ok"] is False and data["failure"]["kind"] == "raised"
    token = data["failure"]["replay"]
    code, out, _ = run_cli(capsys, "replay", token)
    assert code == 1
    assert "race raised AssertionError: 1 at race.py:" in out
    assert "failed the same way as when the token was made" in out


def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys):
    path = tmp_path / "race.py"
    path.write_text(RACE)
    for argv, text in (
        (["explore", "nowhere.py:race"], "no such file"),
        (["explore", f"{path}:missing"], "has no function 'missing'"),
        (["explore", f"{path}:race", "--shard", "3/2"], "--shard must be K/N"),
        (["explore", "race"], "expected module:function"),
    ):
        code, out, err = run_cli(capsys, *argv)
        assert code == 2 and out == "" and text in err and len(err.strip().splitlines()) == 1, argv


def plain_lines_race():
    box = {"n": 0}

    def add():
        seen = box["n"]  # no lock, no queue: only a point before each line can split these
        box["n"] = seen + 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2, f"lost an update: {box['n']}"


def test_a_race_between_plain_lines_needs_line_granularity(capsys):
    assert explore(plain_lines_race, runs=200).ok  # invisible at synchronisation points
    result = explore(plain_lines_race, runs=200, granularity="line")
    assert not result.ok and result.runs <= 30
    assert "lost an update: 1" in result.failure.message
    assert "a scheduling point before each line" not in result.coverage  # it failed
    # The token carries the granularity: replaying it fails the same way.
    from interlock.explorer import replay_callable
    from interlock.replay import ReplayToken

    token = ReplayToken.decode(result.failure.replay)
    assert token.scenario == "line" and token.target == "tests.test_explore:plain_lines_race"
    replayed, same = replay_callable(token)
    assert same and not replayed.ok and "lost an update: 1" in replayed.failure.message
    with pytest.raises(Exception, match="granularity must be one of sync, line"):
        explore(plain_lines_race, granularity="bytecode")


def test_line_granularity_puts_back_the_trace_function_it_found():
    import sys

    def tracer(frame, event, arg):
        return None

    sys.settrace(tracer)
    try:
        explore(two_safe_adders, runs=5, granularity="line")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


class TestReplayOnTheFunction:
    """``explore(fn, replay=TOKEN)`` runs the token's one schedule on ``fn``."""

    def test_its_own_token_fails_the_same_way(self):
        token = explore(two_adders, runs=200).failure.replay
        again = explore(two_adders, replay=token)
        assert (again.ok, again.runs, again.stale) == (False, 1, None)
        assert "AssertionError: lost an update: 1" in again.failure.message

    def test_a_token_of_another_function_is_refused_naming_its_own(self):
        from interlock.models import InvalidSetting

        token = explore(two_adders, runs=200).failure.replay
        with pytest.raises(InvalidSetting) as refused:
            explore(two_safe_adders, replay=token)
        assert str(refused.value) == (
            "refused: the replay token is a token of function tests.test_explore:two_adders "
            "(explore, sync granularity), not of function tests.test_explore:two_safe_adders"
        )

    def test_a_token_on_code_that_no_longer_fails_is_stale(self):
        token = explore(two_adders, runs=200).failure.replay
        # The fixed code under the token's name: same lock calls, no lost update.
        result = explore(two_safe_adders, replay=token, target="tests.test_explore:two_adders")
        assert result.stale is not None and result.failure is None
        assert result.report() == (
            "tests.test_explore:two_adders: the replay token no longer applies: its schedule "
            "runs to the end without failing today (a fix landed?)"
        )
        with pytest.raises(AssertionError, match="no longer applies"):
            result.assert_ok()


def test_a_nested_function_under_pytest_names_its_test_to_replay_it():
    def nested():
        two_adders()

    result = explore(nested, runs=200)
    token = result.failure.replay
    assert result.failure.command == (
        "pytest tests/test_explore.py::"
        "test_a_nested_function_under_pytest_names_its_test_to_replay_it "
        f"--interlock-replay {token}"
    )
    assert f"  replay: {result.failure.command}" in result.report()


@pytest.mark.skipif(not hasattr(__import__("sys"), "monitoring"), reason="sys.monitoring is 3.12+")
def test_on_3_12_and_later_line_points_come_from_sys_monitoring_and_stop_with_the_run():
    import sys

    from interlock import explorer

    calls = []

    def tracer(frame, event, arg):
        calls.append(event)

    result = None
    sys.settrace(tracer)
    try:
        result = explore(plain_lines_race, runs=200, granularity="line")
    finally:
        sys.settrace(None)
    assert not result.ok  # the lines were points: the lost update was found
    tool = explorer._TOOL[0]
    assert sys.monitoring.get_tool(tool) == "interlock"
    assert sys.monitoring.get_events(tool) == 0  # nothing is watched between runs
    # The tracer found in place was neither replaced nor bypassed by a trace function
    # of interlock's: it saw the calls of this test's own frame only.
    assert sys.gettrace() is None and calls
