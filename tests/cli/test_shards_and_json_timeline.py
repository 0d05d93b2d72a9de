"""``verify --shard K/N`` judges disjoint shares whose union is the unsharded run;
``--json --timeline`` carries each violation's download events."""

from __future__ import annotations

import json

import pytest

from interlock import Verifier
from interlock.models import Budget
from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(300)


def judged_runs(monkeypatch, shard, runtime="controlled", generated=0) -> list[tuple]:
    """(scenario, schedule) of every run a verification judged, in order."""
    import interlock.stages._explore as stage
    from interlock.checkers import check_all

    seen: list[tuple] = []

    def recording(record, *args, **kwargs):
        seen.append((record.scenario.name, tuple(record.decisions)))
        return check_all(record, *args, **kwargs)

    monkeypatch.setattr(stage, "check_all", recording)
    budget = Budget(runs=7, generated=generated, generated_runs=3)
    report = Verifier(runtime, budget=budget, shard=shard).verify(
        "executor_map", None if generated else ["tiny", "single", "all_fail"]
    )
    assert report.ok and report.runs == len(seen)
    return seen


class TestVerifyShards:
    """N shards judge every run of the unsharded budget, each once."""

    @pytest.mark.parametrize("n", [2, 3])
    def test_the_union_is_the_unsharded_run(self, monkeypatch, n):
        whole = judged_runs(monkeypatch, None)
        shares = [judged_runs(monkeypatch, (k, n)) for k in range(1, n + 1)]
        assert sorted(run for share in shares for run in share) == sorted(whole)
        assert sum(len(share) for share in shares) == len(whole)  # no overlap
        assert all(share for share in shares)

    def test_with_generated_scenarios(self, monkeypatch):
        whole = judged_runs(monkeypatch, None, generated=3)
        one, two = (judged_runs(monkeypatch, (k, 2), generated=3) for k in (1, 2))
        assert sorted(one + two) == sorted(whole)  # as multisets: 'empty' has one schedule

    def test_the_same_shard_twice_is_the_same_run(self, monkeypatch):
        assert judged_runs(monkeypatch, (2, 3)) == judged_runs(monkeypatch, (2, 3))

    def test_a_shard_makes_only_its_own_runs(self, monkeypatch):
        # The default series makes each run from its own seed: another shard's runs are
        # not made at all, so N shards split the run time, not only the judging.
        from interlock.runtime.controlled import ControlledRuntime

        made = []
        run = ControlledRuntime.run

        def counting(self, subject, scenario, strategy, **kwargs):
            made.append(scenario.name)
            return run(self, subject, scenario, strategy, **kwargs)

        monkeypatch.setattr(ControlledRuntime, "run", counting)
        budget = Budget(runs=8, generated=0)
        Verifier(budget=budget, shard=(1, 2)).verify("executor_map", ["tiny"])
        assert made == ["tiny"] * 4
        made.clear()
        Verifier(budget=budget).verify("executor_map", ["tiny"])
        assert made == ["tiny"] * 8

    def test_real_threads_split_the_repetitions(self):
        budget = Budget(runs=5, generated=0)
        runs = [
            Verifier("threads", budget=budget, shard=(k, 2)).verify("executor_map", ["single"]).runs
            for k in (1, 2)
        ]
        assert runs == [3, 2]

    def test_the_command_line_and_its_jobs(self, capsys):
        argv = ["verify", "executor_map", "article_semaphore", "--scenario", "tiny", "--runs", "9"]
        argv += ["--json", "--jobs", "2"]

        def runs(*extra: str) -> list[int]:
            code, out, _ = run(capsys, *argv, *extra)
            assert code == 0
            return [t["runs"] for t in json.loads(out)["targets"]]

        whole, one, two = runs(), runs("--shard", "1/2"), runs("--shard", "2/2")
        assert [a + b for a, b in zip(one, two, strict=True)] == whole == [9, 9]
        code, out, _ = run(capsys, *argv[:-3], "--shard", "1/2")
        assert "note: shard 1/2: of each scenario's runs, only the shard's share" in out

    @pytest.mark.parametrize("bad", ["0/2", "3/2", "2", "a/b"])
    def test_a_bad_shard_is_one_line(self, capsys, bad):
        code, out, err = run(capsys, "verify", "executor_map", "--shard", bad)
        assert (code, out) == (2, "")
        assert err == f"interlock: error: --shard must be K/N with 1 <= K <= N (got {bad!r})\n"


class TestJsonTimeline:
    """``--json --timeline``: each violation carries ``timeline``, its run's events."""

    ARGV = ("verify", "article_queue", "--scenario", "tiny", "--runs", "20", "--json")

    def test_the_violation_carries_its_events(self, capsys):
        code, out, _ = run(capsys, *self.ARGV, "--timeline")
        assert code == 1
        (violation,) = json.loads(out)["targets"][0]["violations"]
        events = violation["timeline"]
        assert [e["seq"] for e in events] == list(range(len(events)))
        assert set(events[0]) == {"seq", "time", "thread", "kind", "url", "in_flight"}
        starts = [e for e in events if e["kind"] == "start"]
        finishes = [e for e in events if e["kind"] == "finish"]
        assert {e["url"] for e in starts} == {d["url"] for d in violation["downloads"]}
        assert len(finishes) == sum(d["end"] is not None for d in violation["downloads"])
        assert max(e["in_flight"] for e in events) == 5  # the article's limit of 4, broken

    def test_the_same_with_format_json(self, capsys):
        with_json = run(capsys, *self.ARGV, "--timeline")[1]
        argv = [a if a != "--json" else "--format=json" for a in self.ARGV]
        assert run(capsys, *argv, "--timeline")[1] == with_json

    def test_not_unless_asked(self, capsys):
        _, out, _ = run(capsys, *self.ARGV)
        (violation,) = json.loads(out)["targets"][0]["violations"]
        assert "timeline" not in violation

    def test_timeline_with_another_format_is_refused(self, capsys):
        code, out, err = run(capsys, "verify", "article_queue", "--format", "table", "--timeline")
        assert (code, out) == (2, "")
        assert err == (
            "interlock: error: --timeline applies to the JSON report or is --format timeline: "
            "with --format table it would be ignored\n"
        )
