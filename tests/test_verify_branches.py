"""The Verifier's less travelled paths: real threads, exhaustive budgets, generated
scenarios, a subject that prints, bad arguments, and the one-call ``verify``."""

from __future__ import annotations

import threading

import pytest

from interlock.errors import InterlockError
from interlock.models import Scenario, TaskSpec
from interlock.scenarios import builtin_scenarios, load_scenario
from interlock.subjects import Subject, builtin_subjects
from interlock.verify import Budget, Verifier, _PrefixStrategy, verify

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


def subject(fn) -> Subject:
    return Subject(name=fn.__name__, download_all=fn, target=f"{__name__}:{fn.__name__}")


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

    def test_budget_defaults_depend_on_the_runtime(self):
        assert Budget().resolved("threads") == Budget(
            runs=2, generated=12, generated_runs=1, shrink_calls=30
        )
        assert Budget(runs=7).resolved("controlled") == Budget(
            runs=7, generated=80, generated_runs=25, shrink_calls=200
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
            "tiny: stopped after 3 schedules (raise --runs to go on) of exhaustive(preemptions<=2)"
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
        assert not lost.holds and lost.scenario == "two"
        assert lost.replay.startswith("il1.")
        assert not lost.message.startswith("NONDETERMINISTIC")
        record = report.records["no_lost_results"]
        again = verifier.replay(subject(lossy), TWO, record.decisions)
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
        assert any(
            note.startswith("smallest generated scenario breaking ")
            and "no_lost_results" in note
            and note.endswith(minimal.describe())
            for note in report.notes
        ), report.notes


class TestPrefixStrategy:
    """The schedule minimiser: follow a prefix, then never preempt, time last."""

    def test_follows_the_prefix_then_keeps_the_current_thread(self):
        strategy = _PrefixStrategy([2, 1])
        assert strategy.new_execution()
        picks = [
            strategy.next_thread([1, 2], 1),  # prefix
            strategy.next_thread([1, 2], 2),  # prefix
            strategy.next_thread([0, 1, 3], 3),  # current thread goes on
            strategy.next_thread([0, 2, 3], None),  # lowest thread, not the clock
            strategy.next_thread([0], None),  # only the clock
        ]
        assert picks == [2, 1, 3, 2, 0]
        assert strategy.describe() == "prefix(2)"

    def test_a_prefix_entry_not_offered_is_skipped(self):
        strategy = _PrefixStrategy([5])
        strategy.new_execution()
        assert strategy.next_thread([1, 2], 2) == 2
        strategy.new_execution()  # starts over
        assert strategy.index == 0


class TestRunsForBigScenarios:
    """Big scenarios get fewer schedules, never more than asked for."""

    def test_a_big_scenario_is_cut_but_never_raised(self):
        article = load_scenario("article")  # 500 downloads
        assert Verifier(budget=Budget(runs=150, generated=0))._runs_for(article) == 7
        assert Verifier(budget=Budget(runs=1, generated=0))._runs_for(article) == 1
        assert Verifier(budget=Budget(runs=40, generated=0))._runs_for(load_scenario("tiny")) == 40
