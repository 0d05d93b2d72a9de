"""The Hypothesis search gets one answer per scenario, so it never calls a search flaky."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from interlock.models import Budget
from interlock.scenarios.small import small_scopes
from interlock.subjects import builtin_subjects
from interlock.verify import Verifier
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

_LARGEST_SMALL_SCOPE = max(len(s.tasks) for s in small_scopes())


def every_other_call_loses_one(urls, fetch, limit):
    """Drops the last result on every other call, counted in a file (so that a forked
    child's call counts too): an outcome that varies from run to run, as a race's does,
    but on a schedule a test can rely on."""
    counter = Path(os.environ["INTERLOCK_TEST_COUNTER"])
    calls = int(counter.read_text() or 0) + 1
    counter.write_text(str(calls))
    results = [fetch(url) for url in urls]
    # Only on more URLs than any small scope has, so that Hypothesis's search is what
    # finds it (and must cope with the answer changing).
    if len(results) > _LARGEST_SMALL_SCOPE and calls % 2:
        results.pop()
    return results


def test_a_budget_that_runs_out_mid_shrink_keeps_the_smallest_so_far():
    # With these numbers the budget ran out while Hypothesis was replaying a failing
    # scenario, which then "passed": Hypothesis raised FlakyFailure out of verify.
    budget = Budget(runs=30, generated=20, generated_runs=5, shrink_calls=40)
    report = Verifier(budget=budget).verify(builtin_subjects()["article_queue"])
    assert "max_in_flight" in report.broken()


@pytest.mark.parametrize("runtime", ["controlled", "threads"])
def test_a_subject_whose_outcome_varies_is_reported_not_a_crash(runtime, tmp_path, monkeypatch):
    counter = tmp_path / "calls"
    counter.write_text("")
    monkeypatch.setenv("INTERLOCK_TEST_COUNTER", str(counter))
    budget = Budget(runs=1, generated=12, generated_runs=1, shrink_calls=30)
    report = Verifier(runtime, budget=budget, seed=2).verify(
        subject(every_other_call_loses_one), [], generate=True
    )
    lost = next(v for v in report.verdicts if v.invariant == "no_lost_results")
    assert not lost.holds, report.notes
    assert any(note.startswith("smallest generated scenario breaking") for note in report.notes)
