"""The Verifier's less travelled paths: real threads, exhaustive budgets, generated
scenarios, a subject that prints, bad arguments, and the one-call ``verify``."""

from __future__ import annotations

import threading
import types

import pytest

from interlock.errors import InterlockError
from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.threads import ThreadsRuntime
from interlock.scenarios import builtin_scenarios, load_scenario
from interlock.subjects import builtin_subjects
from interlock.verify import Budget, Verifier, verify
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

TWO = Scenario("two", (TaskSpec("u0", duration=1.0), TaskSpec("u1", duration=2.0)), limit=2)


def lossy(urls, fetch, limit):
    """One thread per URL, joined in turn; the last result is dropped."""
    results = []
    for url in urls:
        worker = threading.Thread(target=lambda u=url: results.append(fetch(u)))
        worker.start()
        worker.join()
    return results[:-1]


def chatty(urls, fetch, limit):
    """Correct, but prints a line per URL."""
    results = []
    for url in urls:
        print(f"fetching {url}")
        results.append(fetch(url))
    return results


def verdicts(report) -> dict[str, bool]:
    return {v.invariant: v.holds for v in report.verdicts}


class TestArguments:
    """Bad settings fail at construction, naming the value."""

    def test_unknown_runtime(self):
        with pytest.raises(
            InterlockError, match=r"unknown runtime 'os' \(choose controlled or threads\)"
        ):
            Verifier("os")

    def test_unknown_strategy(self):
        with pytest.raises(InterlockError, match=r"unknown strategy 'sideways'"):
            Verifier(strategy="sideways")

    def test_budget_defaults_come_from_the_runtime(self):
        assert Verifier("threads").budget == ThreadsRuntime.default_budget
        assert ThreadsRuntime.default_budget == Budget(
            runs=2, generated=12, generated_runs=1, shrink_calls=30, seconds=40.0
        )
        assert Verifier(budget=Budget(runs=7)).budget == Budget(
            runs=7, generated=80, generated_runs=25, shrink_calls=200, seconds=40.0
        )


class TestThreadsRuntime:
    """On real threads a violation is kept as seen: named scenario, no replay token."""

    def test_a_lost_result_is_reported_without_a_replay_token(self):
        verifier = Verifier("threads", budget=Budget(runs=1, generated=0))
        report = verifier.verify(subject(lossy), [TWO])
        assert report.runtime == "threads"
        assert report.runs == 1
        lost = next(v for v in report.verdicts if v.invariant == "no_lost_results")
        assert not lost.holds
        assert lost.scenario == "two"
        assert lost.replay is None
        assert report.records["no_lost_results"].runtime == "threads"
        assert report.broken() == {"no_lost_results"}
        assert not report.ok


class TestControlledRuntime:
    """Notes say what was covered; violations come with a replayable, minimal schedule."""

    def test_the_one_call_verify_over_every_named_scenario(self):
        report = verify(
            builtin_subjects()["executor_map"], budget=Budget(runs=1, generated=0), seed=4
        )
        assert report.ok
        assert report.scenarios == len(builtin_scenarios())
        assert report.runs >= report.scenarios  # one schedule each, at least
        assert all(v.message == f"held in {report.runs} runs" for v in report.verdicts)

    def test_exhaustive_search_cut_short_says_so(self):
        verifier = Verifier(strategy="exhaustive:2", budget=Budget(runs=3, generated=0))
        report = verifier.verify(builtin_subjects()["executor_map"], [load_scenario("tiny")])
        assert report.runs == 3
        assert report.notes == [
            "tiny: stopped after 3 schedules of exhaustive(preemptions<=2) (raise --runs to go on)"
        ]

    def test_a_subject_that_prints_gets_a_note_not_output(self, capsys):
        report = Verifier(budget=Budget(runs=2, generated=0)).verify(subject(chatty), [TWO])
        assert report.ok
        assert capsys.readouterr().out == ""
        assert report.notes == ["the subject printed 4 lines, e.g. 'fetching u0'"]

    def test_a_violation_is_minimised_and_replays_identically(self):
        verifier = Verifier(budget=Budget(runs=2, generated=0))
        report = verifier.verify(subject(lossy), [TWO])
        lost = next(v for v in report.verdicts if v.invariant == "no_lost_results")
        # Shrunk from "two": the smallest scenario that still loses a result.
        assert not lost.holds and lost.scenario == "two, shrunk"
        record = report.records["no_lost_results"]
        assert len(record.scenario.tasks) == 1
        assert lost.replay.startswith("il1.")
        assert not lost.message.startswith("NONDETERMINISTIC")
        again = verifier.replay(subject(lossy), record.scenario, record.decisions)
        assert again.trace.render() == record.trace.render()


class TestReplay:
    """Replaying a schedule that no longer fits the program says so."""

    def test_a_schedule_that_does_not_fit_cannot_be_replayed(self):
        article = builtin_subjects()["article_queue"]
        assert Verifier().replay(article, load_scenario("tiny"), [99]) is None


class TestGeneratedScenarios:
    """Hypothesis looks for a scenario that breaks something; its findings become notes."""

    def test_nothing_found_is_a_note(self):
        budget = Budget(runs=1, generated=3, generated_runs=1)
        report = Verifier(budget=budget).verify(
            builtin_subjects()["executor_map"], [], generate=True
        )
        assert report.ok
        assert report.scenarios == 0
        assert report.notes == ["3 generated scenarios: no violation"]

    def test_the_smallest_breaking_scenario_is_kept(self):
        budget = Budget(runs=1, generated=10, generated_runs=1)
        report = Verifier(budget=budget, seed=1).verify(subject(lossy), [], generate=True)
        lost = next(v for v in report.verdicts if v.invariant == "no_lost_results")
        assert not lost.holds
        minimal = report.records["no_lost_results"].scenario
        assert len(minimal.tasks) == 1  # dropping the last of one result is the smallest case
        # Found on a small scope (tried smallest first), before Hypothesis draws any.
        assert any(
            note.startswith("no_lost_results")
            and "broken on a small scope: " in note
            and note.endswith(minimal.describe())
            for note in report.notes
        ), report.notes


class TestRunsForBigScenarios:
    """Big scenarios get fewer schedules, never more than asked for."""

    @staticmethod
    def _count(runs: int, scenario) -> int:
        runtime = ControlledRuntime()
        counted = 0
        # Count the trials without running them: a trial runs when it is drawn.
        trials = runtime.trials(builtin_subjects()["executor_map"], scenario, runs, key="k")
        runtime.run = lambda *args: types.SimpleNamespace(outcome="returned")
        for _ in trials:
            counted += 1
        return counted

    def test_a_big_scenario_is_cut_but_never_raised(self):
        article = load_scenario("article")  # 500 downloads
        assert self._count(150, article) == 7
        assert self._count(1, article) == 1
        assert self._count(40, load_scenario("tiny")) == 40


def test_verify_takes_a_plain_callable_and_scenario_names():
    report = Verifier(budget=Budget(runs=3, generated=0)).verify(lossy, ["single"])
    assert report.subject.download_all is lossy
    assert report.broken() >= {"no_lost_results"}
