"""Every built-in subject breaks exactly the invariants it declares.

Parametrised over whatever modules ``interlock/implementations/`` holds, so a
new pattern is one new module with its ``BREAKS``, and no list here to edit.
"""

from __future__ import annotations

import pytest

from interlock.subjects import builtin_subjects
from interlock.verify import Budget, Verifier

SUBJECTS = list(builtin_subjects().values())
IDS = [s.name for s in SUBJECTS]


# Smaller than verify's default budget, and enough for every declared break (the
# controlled runtime is deterministic, so this holds on every run); the default
# budget is what `tox -e verify` (interlock verify --expect-declared) runs.
CATALOGUE = Budget(runs=30, generated=20, generated_runs=5, shrink_calls=40)


@pytest.fixture(scope="module")
def controlled():
    return Verifier("controlled", seed=0, budget=CATALOGUE)


@pytest.fixture(scope="module")
def threads():
    return Verifier("threads", seed=0, budget=Budget(runs=1, generated=0))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("subject", SUBJECTS, ids=IDS)
def test_declared_verdicts_under_the_controlled_scheduler(controlled, subject):
    report = controlled.verify(subject)
    assert report.surprises() == [], report.verdicts
    assert report.broken() == set(subject.breaks)  # exact: nothing is optional here


@pytest.mark.timeout(300)
@pytest.mark.parametrize("subject", SUBJECTS, ids=IDS)
def test_declared_verdicts_with_real_threads(threads, subject):
    """Real threads must show every declared break except the rare ones, and nothing
    else; the rule (``SubjectReport.surprises``) is the one ``--expect-declared`` uses."""
    report = threads.verify(subject)
    assert report.surprises() == [], report.verdicts


def test_every_violation_has_a_reason_and_a_replay_token(controlled):
    subject = builtin_subjects()["article_queue"]
    from interlock.scenarios import load_scenario

    report = controlled.verify(subject, [load_scenario("tiny")])
    verdict = next(v for v in report.verdicts if v.invariant == "max_in_flight")
    assert not verdict.holds
    assert "downloads in flight" in verdict.message and "limit is 4" in verdict.message
    assert verdict.message.startswith("5 downloads in flight")
    assert verdict.replay and verdict.replay.startswith("il1.")
    assert verdict.scenario in ("tiny", "tiny, shrunk")
