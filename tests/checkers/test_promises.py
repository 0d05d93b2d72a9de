"""What a subject promises (``PROMISES``), read at load time and honoured by the
checkers: hand-written records in, verdicts out."""

from __future__ import annotations

import itertools

import pytest

from interlock.checkers import (
    errors_reported,
    fail_fast,
    max_in_flight,
    no_lost_results,
    ordered,
    work_conserving,
)
from interlock.errors import InvalidTarget
from interlock.models import Promises, RunRecord, Subject
from interlock.models.record import CLOCK, DEADLOCK, RETURNED
from interlock.models.subject import NO_PROMISES, promises_of
from interlock.subjects import load_target
from tests.checkers.test_checkers import NONE, error, payload, scenario, trace, urls
from tests.kit import module

_names = itertools.count()


def download_all(urls, fetch, limit):
    return [fetch(u) for u in urls]


@pytest.fixture
def promising():
    """``promising(**promises)``: the name of a subject that promises them (forgotten
    after the test, so no other test sees them)."""
    made: list[str] = []

    def make(**promises) -> str:
        name = f"promising-{next(_names)}"
        Subject(name=name, download_all=download_all, target=name, promises=promises)
        made.append(name)
        return name

    yield make
    for name in made:
        Subject(name=name, download_all=download_all, target=name)


def record(subject: str, sc, rows=(), *, results=None, outcome=RETURNED, **kw) -> RunRecord:
    return RunRecord(subject, sc, "controlled", trace(*rows), outcome, results=results, **kw)


class TestDeclaration:
    """``PROMISES`` is read when the subject loads; a bad one is refused in one line."""

    def test_read_from_the_module(self):
        mod = module(download_all=download_all, NAME="p0", PROMISES={"ordered": True, "bound": 1})
        subject = Subject.from_module(mod)
        assert subject.promises == Promises(ordered=True, bound=1)
        assert promises_of("p0") == subject.promises
        Subject(name="p0", download_all=download_all, target="p0")
        assert promises_of("p0") is NO_PROMISES

    def test_nothing_declared_promises_nothing(self):
        subject = Subject.from_module(module(download_all=download_all, NAME="p1"))
        assert subject.promises is NO_PROMISES and not subject.promises.made
        assert promises_of("p1") is NO_PROMISES

    def test_misspelt_promise_fails_at_load_with_a_suggestion(self, tmp_path):
        path = tmp_path / "mine.py"
        path.write_text(
            "PROMISES = {'orderd': True}\n"
            "def download_all(urls, fetch, limit):\n    return [fetch(u) for u in urls]\n"
        )
        target = f"{path}:download_all"
        expected = f"{target}: PROMISES names no promise 'orderd' (did you mean 'ordered'?)"
        with pytest.raises(InvalidTarget) as raised:
            load_target(target)
        assert str(raised.value) == expected

    def test_a_builtin_module_is_named_by_its_module(self):
        mod = module("pkg.pool", download_all=download_all, PROMISES={"bound": "two"})
        with pytest.raises(InvalidTarget, match=r"^pkg\.pool: PROMISES: promise 'bound' must be"):
            Subject.from_module(mod)

    def test_unknown_promise_lists_the_known_ones(self):
        with pytest.raises(
            InvalidTarget,
            match=r"m: PROMISES names no promise 'speed' \(the promises are ordered, fail_fast, bound\)",
        ):
            Promises.declared_by({"speed": 3}, "m")

    @pytest.mark.parametrize(
        ("declared", "pattern"),
        [
            ([("ordered", True)], r"m: PROMISES must be a dict of promise -> value \(got list\)"),
            (
                {"ordered": "yes"},
                r"m: PROMISES: promise 'ordered' must be True or False \(got 'yes'\)",
            ),
            ({"fail_fast": 1}, r"promise 'fail_fast' must be True or False \(got 1\)"),
            (
                {"bound": "limit * 2"},
                r"promise 'bound' must be 'limit', 'limit \+ K' or a number >= 1 \(got 'limit \* 2'\)",
            ),
            ({"bound": 0}, r"a number >= 1 \(got 0\)"),
            ({"bound": True}, r"a number >= 1 \(got True\)"),
        ],
    )
    def test_bad_values(self, declared, pattern):
        with pytest.raises(InvalidTarget, match=pattern):
            Promises.declared_by(declared, "m")

    def test_bounds(self):
        assert Promises(bound="limit+2").bound == "limit + 2"
        assert Promises(bound=" limit + 0 ").bound == "limit"
        assert [Promises(bound=b).at_most(4) for b in ("limit", "limit + 1", 1, 7)] == [4, 5, 1, 7]

    def test_describe(self):
        assert NO_PROMISES.describe() == ""
        both = Promises(ordered=True, fail_fast=True, bound="limit + 1")
        assert both.describe() == "ordered results, fail-fast, at most limit + 1 in flight"

    def test_the_last_subject_made_with_a_name_counts(self, promising):
        name = promising(ordered=True)
        assert promises_of(name).ordered
        Subject(name=name, download_all=download_all, target=name, promises={"fail_fast": True})
        assert promises_of(name) == Promises(fail_fast=True)


def overlapping(n: int):
    """Rows of ``n`` downloads all in flight together."""
    starts = [("start", f"u{i}", f"w{i}", 0.0) for i in range(n)]
    return starts + [("finish", f"u{i}", f"w{i}", 1.0) for i in range(n)]


class TestBound:
    """``max_in_flight`` holds a subject to the bound it promises instead of ``limit``."""

    def test_without_a_promise_the_limit_counts(self):
        sc = scenario(*urls(3), limit=2)
        verdict = max_in_flight(record("nobody", sc, overlapping(3)))
        assert not verdict.holds
        assert verdict.message == "3 downloads in flight at t=0.000s (u0 u1 u2); limit is 2"

    def test_limit_plus_one_allows_one_more(self, promising):
        sc = scenario(*urls(4), limit=2)
        name = promising(bound="limit + 1")
        held = max_in_flight(record(name, sc, overlapping(3)))
        assert held.holds, held.message
        assert held.message.endswith("the subject promises at most limit + 1 = 3 (limit 2)")
        broken = max_in_flight(record(name, sc, overlapping(4)))
        assert not broken.holds
        assert broken.message.startswith("4 downloads in flight at t=0.000s")
        assert broken.evidence[0].startswith(
            "promised bound first exceeded at t=0.000s: w3 started u3"
        )

    def test_a_fixed_bound_below_the_limit(self, promising):
        sc = scenario(*urls(2), limit=4)
        name = promising(bound=1)
        broken = max_in_flight(record(name, sc, overlapping(2)))
        assert not broken.holds
        assert broken.message.endswith("the subject promises at most 1 (limit 4)")
        assert max_in_flight(record(name, sc, overlapping(1))).holds


class TestBoundAndIdleSlots:
    """``work_conserving`` counts only the slots the subject's promised bound allows."""

    def test_one_at_a_time_is_all_a_bound_of_one_claims(self, promising):
        sc = scenario(*urls(3), limit=2)
        results = tuple(payload(sc, t.url) for t in sc.tasks)
        rows = serial(sc, [0, 1, 2])
        idle = work_conserving(record("nobody", sc, rows, results=results))
        assert not idle.holds and "only 1 of 2 slots busy" in idle.message
        kept = work_conserving(record(promising(bound=1), sc, rows, results=results))
        assert kept.holds, kept.message

    def test_a_bound_above_the_limit_asks_no_more_than_the_limit(self, promising):
        sc = scenario(*urls(3), limit=2)
        results = tuple(payload(sc, t.url) for t in sc.tasks)
        idle = work_conserving(
            record(promising(bound="limit + 1"), sc, serial(sc, [0, 1, 2]), results=results)
        )
        assert not idle.holds and "only 1 of 2 slots busy" in idle.message


def serial(sc, order):
    """Rows: the URLs at ``order`` downloaded one after another by one thread."""
    rows, t = [], 0.0
    for i in order:
        task = sc.tasks[i]
        rows += [
            ("start", task.url, "w1", t),
            ("fail" if task.fails else "finish", task.url, "w1", t + 1),
        ]
        t += 1
    return rows


class TestOrdered:
    """``ordered`` judges only a subject that promises URL order."""

    def test_not_promised_holds_whatever_the_order(self):
        sc = scenario(*urls(2))
        results = (payload(sc, "u1"), payload(sc, "u0"))
        verdict = ordered(record("nobody", sc, serial(sc, [0, 1]), results=results))
        assert verdict.holds and verdict.message.startswith("not promised")

    def test_in_order_holds(self, promising):
        sc = scenario(*urls(3, fails=(1,)))
        results = (payload(sc, "u0"), error(sc, "u1"), payload(sc, "u2"))
        verdict = ordered(record(promising(ordered=True), sc, results=results))
        assert (
            verdict.holds and verdict.message == "3 results naming a URL, each in its URL's place"
        )

    def test_swapped_results_fail(self, promising):
        sc = scenario(*urls(3))
        results = (payload(sc, "u1"), payload(sc, "u0"), payload(sc, "u2"))
        verdict = ordered(record(promising(ordered=True), sc, results=results))
        assert not verdict.holds
        assert verdict.message == (
            "result 0 is u1's, where URL order puts u0's (the subject promises results in URL order)"
        )
        assert verdict.evidence == ("returned order: u1 u0 u2", "URL order: u0 u1 u2")

    def test_with_an_item_missing_the_urls_must_not_go_backwards(self, promising):
        sc = scenario(*urls(3))
        name = promising(ordered=True)
        assert ordered(record(name, sc, results=(payload(sc, "u0"), payload(sc, "u2")))).holds
        verdict = ordered(record(name, sc, results=(payload(sc, "u2"), payload(sc, "u1"))))
        assert not verdict.holds and verdict.message.startswith("result 1 is u1's, after u2's")

    def test_an_item_naming_no_url_keeps_its_place(self, promising):
        sc = scenario(*urls(2))
        name = promising(ordered=True)
        assert ordered(record(name, sc, results=(NONE, payload(sc, "u1")))).holds
        verdict = ordered(record(name, sc, results=(payload(sc, "u1"), NONE)))
        assert not verdict.holds and "result 0 is u1's" in verdict.message

    def test_not_judged_without_results(self, promising):
        sc = scenario(*urls(1))
        verdict = ordered(record(promising(ordered=True), sc, outcome=DEADLOCK))
        assert verdict.holds and verdict.message.startswith(
            "not judged: download_all did not return"
        )


class TestFailFast:
    """``fail_fast``: no start later than the first failure, on a fair schedule; and
    nothing owed for the URLs never started."""

    # u0 fails at t=1; in that instant w2 ends u1 and starts u2, and later u3.
    ROWS = [
        ("start", "u0", "w1", 0.0),
        ("start", "u1", "w2", 0.0),
        ("fail", "u0", "w1", 1.0),
        ("finish", "u1", "w2", 1.0),
        ("start", "u2", "w2", 1.0),
        ("finish", "u2", "w2", 2.0),
        ("start", "u3", "w2", 2.0),
        ("fail", "u3", "w2", 3.0),
    ]

    def sc(self):
        return scenario(*urls(4, fails=(0, 3)), limit=2)

    def test_not_promised_holds(self):
        verdict = fail_fast(record("nobody", self.sc(), self.ROWS))
        assert verdict.holds and verdict.message.startswith("not promised")

    def test_a_start_after_the_failure_fails(self, promising):
        verdict = fail_fast(record(promising(fail_fast=True), self.sc(), self.ROWS))
        assert not verdict.holds
        assert verdict.message == (
            "1 download started after u0 failed at t=1.000s: first u3 at t=2.000s by w2 "
            "(the subject promises fail-fast)"
        )
        assert verdict.evidence == (
            "u0 failed at t=1.000s in w1; started later:",
            "  u3 at t=2.000s by w2",
        )

    def test_a_start_in_the_instant_of_the_failure_is_allowed(self, promising):
        rows = [
            ("start", "u0", "w1", 0.0),
            ("fail", "u0", "w1", 1.0),
            ("start", "u1", "w2", 1.0),
            ("finish", "u1", "w2", 2.0),
        ]
        verdict = fail_fast(record(promising(fail_fast=True), self.sc(), rows))
        assert (
            verdict.holds and verdict.message == "no download started after u0 failed at t=1.000s"
        )

    def test_no_failure_holds(self, promising):
        sc = scenario(*urls(2))
        verdict = fail_fast(record(promising(fail_fast=True), sc, serial(sc, [0, 1])))
        assert verdict.holds and verdict.message == "no download failed"

    def test_an_unfair_schedule_is_not_judged(self, promising):
        rec = record(promising(fail_fast=True), self.sc(), self.ROWS, decisions=(1, CLOCK, 2))
        verdict = fail_fast(rec)
        assert verdict.holds and verdict.message.startswith(
            "not judged: the schedule advanced the clock 1 time while a thread could run"
        )

    def test_urls_never_started_after_a_failure_are_owed_nothing(self, promising):
        sc = self.sc()
        results = (error(sc, "u0"), payload(sc, "u1"))  # u2 and u3 (failing) never started
        rows = self.ROWS[:4]
        name = promising(fail_fast=True)
        lost = no_lost_results(record(name, sc, rows, results=results))
        assert lost.holds and lost.message.endswith(
            "; 1 URL never started after a failure (the subject promises fail-fast)"
        )
        errors = errors_reported(record(name, sc, rows, results=results))
        assert errors.holds and errors.message.endswith(
            "; 1 URL never started after a failure (the subject promises fail-fast)"
        )

    def test_without_the_promise_they_are_lost(self):
        sc = self.sc()
        results = (error(sc, "u0"), payload(sc, "u1"))
        assert not no_lost_results(record("nobody", sc, self.ROWS[:4], results=results)).holds
        assert not errors_reported(record("nobody", sc, self.ROWS[:4], results=results)).holds

    def test_a_started_url_is_still_owed(self, promising):
        sc = self.sc()
        verdict = no_lost_results(
            record(promising(fail_fast=True), sc, self.ROWS[:4], results=(error(sc, "u0"),))
        )
        assert not verdict.holds and "u1" in verdict.message

    def test_without_a_failure_every_url_is_owed(self, promising):
        sc = scenario(*urls(2))
        rows = serial(sc, [0])
        verdict = no_lost_results(
            record(promising(fail_fast=True), sc, rows, results=(payload(sc, "u0"),))
        )
        assert not verdict.holds and "u1" in verdict.message
