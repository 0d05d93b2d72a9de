"""A user's own invariant, declared in a test file or next to a subject: ``verify``
hands it the same run record as the built-in ones and reports it like them."""

from __future__ import annotations

import pytest

from interlock.checkers import CHECKERS, forget_invariant, invariant
from interlock.models import RunRecord, Scenario, TaskSpec, Verdict
from interlock.models.events import START
from interlock.models.invariants import INVARIANTS
from interlock.reports import render
from interlock.subjects import builtin_subjects, load_target
from interlock.verify import Budget, Verifier
from tests.checkers.test_checkers import NAMES
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

NAME = "starts_in_url_order"
THREE = Scenario("three", tuple(TaskSpec(f"u{i}", 1.0) for i in range(3)), limit=1)


def starts_in_url_order(record: RunRecord) -> Verdict:
    """Downloads start in the order of the URLs."""
    started = [e.url for e in record.trace if e.kind == START]
    wanted = [u for u in record.scenario.urls if u in set(started)]
    if started == wanted:
        return Verdict(NAME, True, "downloads started in URL order")
    return Verdict(NAME, False, f"downloads started as {' '.join(started)}")


@pytest.fixture
def seen():
    """The user's invariant declared for one test (and forgotten after it); the list
    holds every record it was handed."""
    records: list[RunRecord] = []

    def check(record: RunRecord) -> Verdict:
        records.append(record)
        return starts_in_url_order(record)

    invariant(NAME, summary="downloads start in URL order")(check)
    yield records
    forget_invariant(NAME)


def last_first(urls, fetch, limit):
    """One download at a time, the last URL first."""
    return [fetch(u) for u in reversed(urls)]


def first_first(urls, fetch, limit):
    return [fetch(u) for u in urls]


class TestDeclared:
    """Declared with ``@invariant``: checked and reported like a built-in invariant."""

    def test_a_violation_is_reported_with_a_token(self, seen):
        report = Verifier(budget=Budget(runs=5)).verify(subject(last_first), [THREE])
        assert report.broken() == {NAME}
        found = next(v for v in report.verdicts if v.invariant == NAME)
        # Shrunk like a built-in violation: two URLs are enough to show it.
        assert found.message == "downloads started as u1 u0"
        assert found.scenario == "three, shrunk"
        assert found.replay and found.replay.startswith("il1.")
        table = render("table", [report]).splitlines()
        assert table[0].split()[-1] == NAME  # its column, after the built-in ones
        assert "FAIL" in table[1].split()[-1]

    def test_it_receives_the_run_record(self, seen):
        Verifier(budget=Budget(runs=3)).verify(subject(first_first, name="firsts"), [THREE])
        assert seen and all(isinstance(r, RunRecord) for r in seen)
        assert {r.subject for r in seen} == {"firsts"}
        assert [e.url for e in seen[0].trace if e.kind == START] == ["u0", "u1", "u2"]

    def test_held(self, seen):
        report = Verifier(budget=Budget(runs=3)).verify(builtin_subjects()["executor_map"], [THREE])
        verdict = next(v for v in report.verdicts if v.invariant == NAME)
        assert verdict.holds and verdict.message == "held in 3 runs"

    def test_chosen_alone(self, seen):
        verifier = Verifier(budget=Budget(runs=3), invariants=[NAME])
        report = verifier.verify(subject(last_first), [THREE])
        assert [v.invariant for v in report.verdicts] == [NAME]

    def test_column_and_place_default(self, seen):
        assert list(CHECKERS)[-1] == NAME
        assert INVARIANTS[NAME].column == NAME and CHECKERS[NAME].column == NAME


class TestInASubjectModule:
    """An invariant declared next to the subject is there once the subject is loaded."""

    def test_loading_the_subject_declares_it(self, tmp_path):
        path = tmp_path / "pool_with_invariant.py"
        path.write_text(
            "from interlock.checkers import invariant\n"
            "from interlock.models import Verdict\n\n"
            "@invariant('returns_a_list', summary='download_all returns a list')\n"
            "def returns_a_list(record):\n"
            "    return Verdict('returns_a_list', record.results is not None, 'checked')\n\n"
            "def download_all(urls, fetch, limit):\n"
            "    return [fetch(u) for u in urls]\n"
        )
        try:
            mine = load_target(f"{path}:download_all")
            report = Verifier(budget=Budget(runs=2)).verify(mine, [THREE])
            verdict = next(v for v in report.verdicts if v.invariant == "returns_a_list")
            assert verdict.holds and verdict.message == "held in 2 runs"
        finally:
            forget_invariant("returns_a_list")


class TestForget:
    """``forget_invariant`` takes a user's invariant back, and only a user's."""

    def test_forgotten_it_is_gone(self):
        invariant("probe_forgotten", summary="probe")(starts_in_url_order)
        forget_invariant("probe_forgotten")
        assert "probe_forgotten" not in CHECKERS and "probe_forgotten" not in INVARIANTS
        assert set(CHECKERS) == NAMES

    def test_unknown(self):
        with pytest.raises(ValueError, match=r"^no invariant 'nothing_here' is declared$"):
            forget_invariant("nothing_here")

    def test_built_in_ones_stay(self):
        with pytest.raises(ValueError, match=r"invariant 'max_in_flight' is built in"):
            forget_invariant("max_in_flight")
        assert "max_in_flight" in CHECKERS

    def test_the_same_function_declared_again_replaces_it(self):
        try:
            invariant("probe_again", summary="first", column="a")(starts_in_url_order)
            invariant("probe_again", summary="second", column="b")(starts_in_url_order)
            assert CHECKERS["probe_again"].summary == "second"
            assert INVARIANTS["probe_again"].column == "b"
        finally:
            forget_invariant("probe_again")

    def test_a_name_is_required(self):
        with pytest.raises(
            ValueError, match=r"an invariant's name must be a non-empty string \(got ''\)"
        ):
            invariant("", summary="nameless")
