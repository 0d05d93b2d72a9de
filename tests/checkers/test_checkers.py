"""Checkers on hand-written traces and records: a list of events in, a verdict out."""

from __future__ import annotations

import re

import pytest

from interlock.checkers import (
    CHECKERS,
    check_all,
    clean_shutdown,
    errors_reported,
    invariant,
    max_in_flight,
    no_crash,
    no_deadlock,
    no_duplicates,
    no_lost_results,
    terminates,
    work_conserving,
)
from interlock.checkers._common import scenario_facts
from interlock.models import (
    Crash,
    DownloadFailed,
    Event,
    ResultItem,
    RunRecord,
    Scenario,
    TaskSpec,
    ThreadState,
    Trace,
    classify_result,
    make_payload,
)
from interlock.models.invariants import INVARIANTS, column_of
from interlock.models.record import DEADLOCK, RAISED, RETURNED, SPIN, STEP_BUDGET, TIMEOUT

NAMES = {
    "max_in_flight",
    "no_lost_results",
    "no_duplicates",
    "errors_reported",
    "no_deadlock",
    "clean_shutdown",
    "terminates",
    "no_crash",
    "ordered",
    "fail_fast",
    "work_conserving",
}


# -- building records by hand ------------------------------------------------


def scenario(
    *tasks: TaskSpec, limit: int = 2, seed: int = 3, budget: float | None = None
) -> Scenario:
    return Scenario("hand", tuple(tasks), limit, seed=seed, budget=budget)


def urls(n: int, duration: float = 1.0, fails: tuple[int, ...] = ()) -> tuple[TaskSpec, ...]:
    return tuple(TaskSpec(f"u{i}", duration, fails=i in fails) for i in range(n))


def trace(*rows: tuple[str, str, str, float]) -> Trace:
    """Rows ``(kind, url, thread, time)``; ``seq`` is the row's position."""
    return Trace(
        Event(seq, kind, url, thread, time) for seq, (kind, url, thread, time) in enumerate(rows)
    )


def payload(sc: Scenario, url: str) -> ResultItem:
    task = sc.task(url)
    return classify_result(make_payload(sc.seed, url, task.size if task else 64), sc)


def error(sc: Scenario, url: str) -> ResultItem:
    return classify_result(DownloadFailed(url), sc)


NONE = ResultItem("none", None, False, "None")


def record(
    sc: Scenario,
    tr: Trace | None = None,
    *,
    results: tuple[ResultItem, ...] | None = None,
    outcome: str = RETURNED,
    **kw,
) -> RunRecord:
    return RunRecord("subject", sc, "controlled", tr or Trace(), outcome, results=results, **kw)


def serial_trace(sc: Scenario, thread: str = "w1") -> Trace:
    """Every URL downloaded one after the other by one thread, each taking its duration."""
    rows = []
    t = 0.0
    for task in sc.tasks:
        rows.append(("start", task.url, thread, t))
        t += task.duration
        rows.append(("fail" if task.fails else "finish", task.url, thread, t))
    return trace(*rows)


def all_results(sc: Scenario) -> tuple[ResultItem, ...]:
    return tuple(error(sc, t.url) if t.fails else payload(sc, t.url) for t in sc.tasks)


# -- the registry ----------------------------------------------------------------


class TestRegistry:
    """Eleven invariants, each declared once, in report order."""

    def test_names(self):
        assert set(CHECKERS) == NAMES
        assert list(CHECKERS)[0] == "max_in_flight"
        assert list(CHECKERS)[-1] == "work_conserving"

    def test_only_work_conserving_is_advisory(self):
        assert {n for n, c in CHECKERS.items() if c.advisory} == {"work_conserving"}
        assert all(c.summary for c in CHECKERS.values())

    def test_duplicate_name_names_both_functions(self):
        def first(record):
            raise AssertionError

        def second(record):
            raise AssertionError

        name = "test_checkers_duplicate_probe"
        try:
            invariant(name, summary="probe", column="probe", order=999)(first)
            pattern = (
                r"invariant 'test_checkers_duplicate_probe' is declared twice: by "
                r"(tests\.checkers\.)?test_checkers\..*first and by (tests\.checkers\.)?test_checkers\..*second"
            )
            with pytest.raises(ValueError, match=pattern):
                invariant(name, summary="probe", column="probe", order=999)(second)
        finally:
            CHECKERS.pop(name, None)
            INVARIANTS.pop(name, None)
        assert set(CHECKERS) == NAMES

    def test_each_invariant_declares_its_column_and_place(self):
        assert [c.order for c in CHECKERS.values()] == sorted(c.order for c in CHECKERS.values())
        assert {n: INVARIANTS[n].column for n in CHECKERS} == {
            n: c.column for n, c in CHECKERS.items()
        }
        assert INVARIANTS["max_in_flight"].column == "in-flight"
        assert column_of("no_such_invariant") == "no_such_invariant"

    def test_check_all_gives_one_verdict_per_invariant(self):
        sc = scenario(*urls(3), limit=1)
        verdicts = check_all(record(sc, serial_trace(sc), results=all_results(sc)))
        assert [v.invariant for v in verdicts] == list(CHECKERS)
        assert all(v.holds for v in verdicts), [v.message for v in verdicts if not v.holds]
        assert all(v.scenario is None and v.replay is None for v in verdicts)

    def test_check_all_by_name(self):
        sc = scenario()
        verdicts = check_all(record(sc, results=()), ["no_crash", "max_in_flight"])
        assert [v.invariant for v in verdicts] == ["no_crash", "max_in_flight"]

    def test_empty_scenario_holds_everywhere(self):
        sc = scenario()
        verdicts = {v.invariant: v for v in check_all(record(sc, results=()))}
        assert all(v.holds for v in verdicts.values())
        assert verdicts["max_in_flight"].message == "no download started; limit is 2"
        assert verdicts["errors_reported"].message == "no URL is scripted to fail"
        assert verdicts["work_conserving"].message.startswith(
            "not judged: the downloads take no time"
        )


# -- max_in_flight -----------------------------------------------------------------


class TestMaxInFlight:
    """Counts downloads in flight in seq order against the limit."""

    def test_five_in_flight_with_limit_four(self):
        sc = scenario(*urls(5, 3.0), limit=4)
        tr = trace(
            ("start", "u0", "Thread-1", 0.0),
            ("start", "u1", "Thread-2", 0.0),
            ("start", "u2", "Thread-3", 1.0),
            ("start", "u3", "Thread-4", 1.0),
            ("start", "u4", "Thread-5", 2.0),
            ("finish", "u0", "Thread-1", 3.0),
        )
        v = max_in_flight(record(sc, tr))
        assert not v.holds
        assert v.message == "5 downloads in flight at t=2.000s (u0 u1 u2 u3 u4); limit is 4"
        assert (
            v.evidence[0]
            == "limit first exceeded at t=2.000s: Thread-5 started u4, making 5 in flight"
        )
        assert v.evidence[1] == "in flight at the peak (5 downloads):"
        assert v.evidence[2] == "  u0 started at t=0.000s by Thread-1"
        assert not v.advisory

    def test_evidence_lists_only_downloads_in_flight_at_the_peak(self):
        sc = scenario(*urls(4), limit=2)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("finish", "u0", "a", 0.2),
            ("start", "u1", "b", 0.3),
            ("start", "u2", "c", 0.4),
            ("start", "u3", "a", 0.5),
            ("finish", "u1", "b", 1.3),
        )
        v = max_in_flight(record(sc, tr))
        assert v.message == "3 downloads in flight at t=0.500s (u1 u2 u3); limit is 2"
        assert v.evidence == (
            "limit first exceeded at t=0.500s: a started u3, making 3 in flight",
            "in flight at the peak (3 downloads):",
            "  u1 started at t=0.300s by b",
            "  u2 started at t=0.400s by c",
            "  u3 started at t=0.500s by a",
        )

    def test_at_the_limit_holds(self):
        sc = scenario(*urls(3), limit=2)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("start", "u1", "b", 0.5),
            ("finish", "u0", "a", 1.0),
            ("start", "u2", "a", 1.0),
            ("finish", "u1", "b", 1.5),
            ("finish", "u2", "a", 2.0),
        )
        v = max_in_flight(record(sc, tr))
        assert v.holds
        assert v.message == "at most 2 in flight (first at t=0.500s); limit is 2"

    def test_handoff_at_the_same_time_is_not_an_overlap(self):
        """A finish then a start at one virtual time: seq order says one replaced the other."""
        sc = scenario(*urls(2, 0.0), limit=1)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("finish", "u0", "a", 0.0),
            ("start", "u1", "a", 0.0),
            ("finish", "u1", "a", 0.0),
        )
        assert max_in_flight(record(sc, tr)).holds

    def test_zero_duration_overlap_by_seq(self):
        """Two starts before either finish overlap even though no time passes."""
        sc = scenario(*urls(2, 0.0), limit=1)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("start", "u1", "b", 0.0),
            ("finish", "u0", "a", 0.0),
            ("finish", "u1", "b", 0.0),
        )
        v = max_in_flight(record(sc, tr))
        assert not v.holds
        assert v.message == "2 downloads in flight at t=0.000s (u0 u1); limit is 1"

    def test_same_url_twice_counts_twice(self):
        sc = scenario(*urls(1), limit=1)
        tr = trace(("start", "u0", "a", 0.0), ("start", "u0", "b", 0.2))
        v = max_in_flight(record(sc, tr))
        assert v.message == "2 downloads in flight at t=0.200s (u0 u0); limit is 1"

    def test_unknown_url_is_not_a_download(self):
        sc = scenario(*urls(1), limit=1)
        tr = trace(
            ("start", "u0", "a", 0.0), ("unknown", "bogus", "b", 0.1), ("finish", "u0", "a", 1.0)
        )
        assert max_in_flight(record(sc, tr)).holds

    def test_long_list_is_cut(self):
        sc = scenario(*urls(30), limit=1)
        tr = trace(*[("start", f"u{i}", f"T{i}", 0.0) for i in range(30)])
        v = max_in_flight(record(sc, tr))
        assert v.message == (
            "30 downloads in flight at t=0.000s (u0 u1 u2 u3 u4 u5 u6 u7 u8 u9 ... (+20 more)); "
            "limit is 1"
        )
        assert v.evidence[-1] == "  ... and 10 more"

    def test_judged_even_when_the_run_deadlocked(self):
        sc = scenario(*urls(2), limit=1)
        tr = trace(("start", "u0", "a", 0.0), ("start", "u1", "b", 0.0))
        assert not max_in_flight(record(sc, tr, outcome=DEADLOCK)).holds


# -- no_lost_results -------------------------------------------------------------------


class TestNoLostResults:
    """Every succeeding URL's intact payload is among the results; nothing unreadable is."""

    def test_all_present(self):
        sc = scenario(*urls(3, fails=(1,)))
        v = no_lost_results(record(sc, serial_trace(sc), results=all_results(sc)))
        assert v.holds
        assert v.message == "all 2 successful URLs have their intact payload among 3 results"

    def test_missing_payload_downloaded_but_dropped(self):
        sc = scenario(*urls(3))
        results = (payload(sc, "u0"), payload(sc, "u2"))
        v = no_lost_results(record(sc, serial_trace(sc), results=results))
        assert not v.holds
        assert v.message == "1 of 3 successful URLs have no intact payload among 2 results: u1"
        assert v.evidence == (
            "u1: downloaded (finished at t=2.000s by w1) but its payload was not returned",
        )

    def test_never_downloaded_and_unknown_fetch(self):
        sc = scenario(*urls(2))
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("finish", "u0", "a", 1.0),
            ("unknown", "u1 ", "a", 1.0),
        )
        err = ResultItem("error", "u1 ", True, "UnknownURL: ...")
        v = no_lost_results(record(sc, tr, results=(payload(sc, "u0"), err)))
        assert not v.holds
        assert v.message == (
            "1 of 2 successful URLs have no intact payload among 2 results: u1; "
            "1 error for URLs not in the scenario: u1 "
        )
        assert v.evidence == (
            "u1: never downloaded",
            "fetch() was called with 'u1 ', which is not in the scenario, at t=1.000s by a",
        )

    def test_corrupted_payload(self):
        sc = scenario(*urls(2))
        bad = bytearray(make_payload(sc.seed, "u1", 64))
        bad[-1] ^= 1
        corrupted = classify_result(bytes(bad), sc)
        assert corrupted.kind == "payload" and not corrupted.intact
        v = no_lost_results(record(sc, serial_trace(sc), results=(payload(sc, "u0"), corrupted)))
        assert not v.holds
        assert v.message == (
            "1 of 2 successful URLs have no intact payload among 2 results: u1; "
            "1 corrupted payload: <64 bytes of u1>"
        )
        assert v.evidence[0].endswith("; a corrupted payload came back instead")

    def test_corrupted_extra_payload_alone_is_a_violation(self):
        """Every URL is there, and so is a payload from another seed."""
        sc = scenario(*urls(1))
        other_seed = classify_result(make_payload(sc.seed + 1, "u0", 64), sc)
        v = no_lost_results(record(sc, serial_trace(sc), results=(payload(sc, "u0"), other_seed)))
        assert not v.holds
        assert v.message == "1 corrupted payload: <64 bytes of u0>"

    def test_result_naming_no_url(self):
        sc = scenario(*urls(1))
        other = classify_result("done!", sc)
        v = no_lost_results(record(sc, serial_trace(sc), results=(payload(sc, "u0"), other)))
        assert v.message == "1 result naming no URL: 'done!'"

    def test_none_and_errors_do_not_count_by_themselves(self):
        sc = scenario(*urls(2, fails=(1,)))
        v = no_lost_results(record(sc, serial_trace(sc), results=(payload(sc, "u0"), NONE)))
        assert v.holds

    def test_not_judged_without_results(self):
        sc = scenario(*urls(1))
        crash = Crash("RuntimeError", "boom")
        v = no_lost_results(record(sc, outcome=RAISED, crash=crash))
        assert v.holds
        assert v.message == "not judged: download_all did not return (it raised RuntimeError: boom)"

    @pytest.mark.parametrize(
        ("outcome", "why"),
        [
            (RAISED, "it raised"),
            (STEP_BUDGET, "the run ran out of scheduling steps"),
            ("vanished", "the run ended with outcome 'vanished' and no results"),
        ],
    )
    def test_not_judged_says_why(self, outcome, why):
        v = no_lost_results(record(scenario(*urls(1)), outcome=outcome))
        assert v.message == f"not judged: download_all did not return ({why})"

    def test_started_never_finished_and_many_lost(self):
        sc = scenario(*urls(22))
        tr = trace(("start", "u0", "a", 0.0))
        v = no_lost_results(record(sc, tr, results=()))
        assert v.evidence[0] == "u0: started but its download never finished"
        assert v.evidence[1] == "u1: never downloaded"
        assert v.evidence[-1] == "... and 2 more lost URLs"

    def test_not_judged_after_deadlock(self):
        v = no_lost_results(record(scenario(*urls(1)), outcome=DEADLOCK))
        assert v.message == "not judged: download_all did not return (the run deadlocked)"

    def test_results_present_although_download_all_raised(self):
        """Whatever results a runtime kept are judged; no_crash reports the raise."""
        sc = scenario(*urls(2))
        rec = record(
            sc,
            serial_trace(sc),
            results=(payload(sc, "u0"),),
            outcome=RAISED,
            crash=Crash("E", "x"),
        )
        assert not no_lost_results(rec).holds
        assert not no_crash(rec).holds

    def test_no_successful_url(self):
        sc = scenario(*urls(2, fails=(0, 1)))
        v = no_lost_results(record(sc, serial_trace(sc), results=all_results(sc)))
        assert v.message == "no URL is scripted to succeed; 2 results, none amiss"


# -- no_duplicates ------------------------------------------------------------------------


class TestNoDuplicates:
    """No URL started twice; no URL's result delivered twice."""

    def test_once_each(self):
        sc = scenario(*urls(2))
        v = no_duplicates(record(sc, serial_trace(sc), results=all_results(sc)))
        assert v.holds
        assert (
            v.message
            == "each of 2 URLs downloaded once; no URL's result among 2 results delivered twice"
        )

    def test_started_twice(self):
        sc = scenario(*urls(2))
        tr = trace(
            ("start", "u0", "Thread-2", 1.0),
            ("finish", "u0", "Thread-2", 2.0),
            ("start", "u0", "Thread-5", 2.0),
            ("start", "u1", "Thread-2", 2.0),
        )
        v = no_duplicates(record(sc, tr, outcome=DEADLOCK))
        assert not v.holds
        assert v.message == "u0 downloaded 2 times (t=1.000s by Thread-2, t=2.000s by Thread-5)"
        assert v.evidence == ("u0 started 2 times: t=1.000s by Thread-2, t=2.000s by Thread-5",)

    def test_several_started_more_than_once(self):
        sc = scenario(*urls(2))
        tr = trace(*[("start", u, "a", 0.0) for u in ("u0", "u1", "u0", "u1", "u1")])
        v = no_duplicates(record(sc, tr))
        assert v.message == "2 URLs downloaded more than once: u0 (2 times), u1 (3 times)"

    def test_delivered_twice(self):
        sc = scenario(*urls(2))
        results = (payload(sc, "u0"), payload(sc, "u1"), payload(sc, "u1"))
        v = no_duplicates(record(sc, serial_trace(sc), results=results))
        assert not v.holds
        assert v.message == "u1's result delivered 2 times"
        assert v.evidence == ("u1 delivered as: <64 bytes of u1>; <64 bytes of u1>",)

    def test_payload_and_error_for_one_url(self):
        sc = scenario(*urls(2))
        results = (payload(sc, "u0"), error(sc, "u0"), payload(sc, "u1"))
        v = no_duplicates(record(sc, serial_trace(sc), results=results))
        assert v.message == "u0's result delivered 2 times"

    def test_both_kinds_at_once(self):
        sc = scenario(*urls(2))
        tr = trace(("start", "u0", "a", 0.0), ("start", "u0", "b", 0.0))
        results = (payload(sc, "u0"), payload(sc, "u0"), payload(sc, "u1"), payload(sc, "u1"))
        v = no_duplicates(record(sc, tr, results=results))
        assert v.message == (
            "u0 downloaded 2 times (t=0.000s by a, t=0.000s by b); "
            "2 URLs' results delivered more than once: u0 (2 times), u1 (2 times)"
        )

    def test_more_results_than_urls(self):
        sc = scenario(*urls(2))
        v = no_duplicates(record(sc, serial_trace(sc), results=(payload(sc, "u0"), NONE, NONE)))
        assert v.message == "3 results for 2 URLs"

    def test_results_not_judged_without_return(self):
        sc = scenario(*urls(1))
        v = no_duplicates(record(sc, trace(("start", "u0", "a", 0.0)), outcome=TIMEOUT))
        assert v.holds
        assert v.message == (
            "each of 1 URL downloaded once; results not judged: "
            "download_all did not return (the run ran out of its time budget)"
        )


# -- errors_reported ------------------------------------------------------------------------


class TestErrorsReported:
    """Each failing URL's exception comes back, naming its URL."""

    def test_reported(self):
        sc = scenario(*urls(3, fails=(0, 2)))
        v = errors_reported(record(sc, serial_trace(sc), results=all_results(sc)))
        assert v.holds
        assert v.message == "all 2 failing URLs reported with their exception"

    def test_none_in_place_of_the_error(self):
        sc = scenario(*urls(5, fails=(3,)))
        results = tuple(NONE if t.fails else payload(sc, t.url) for t in sc.tasks)
        v = errors_reported(record(sc, serial_trace(sc), results=results))
        assert not v.holds
        assert (
            v.message
            == "u3 failed at t=4.000s but no result names it (the subject returned None for it)"
        )

    def test_none_out_of_order(self):
        sc = scenario(*urls(3, fails=(1,)))
        results = (payload(sc, "u2"), NONE, payload(sc, "u0"))
        v = errors_reported(record(sc, serial_trace(sc), results=results))
        assert v.message == "u1 failed at t=2.000s but no result names it (the results hold 1 None)"

    def test_missing_entirely(self):
        sc = scenario(*urls(3, fails=(1, 2)))
        v = errors_reported(record(sc, serial_trace(sc), results=(payload(sc, "u0"),)))
        assert v.message == (
            "2 of 2 failing URLs not reported: u1 u2; first: u1 failed at t=2.000s but no result "
            "names it (1 result for 3 URLs: it is missing)"
        )
        assert len(v.evidence) == 2

    def test_exception_naming_no_url(self):
        sc = scenario(*urls(2, fails=(1,)))
        vague = classify_result(RuntimeError("something failed"), sc)
        v = errors_reported(record(sc, serial_trace(sc), results=(payload(sc, "u0"), vague)))
        assert v.message == (
            "u1 failed at t=2.000s but no result names it (the subject returned an exception "
            "naming no URL for it: RuntimeError: something failed)"
        )
        assert (
            v.evidence[-1]
            == "an exception among the results names no URL: RuntimeError: something failed"
        )

    def test_wrapped_exception_with_cause_counts(self):
        sc = scenario(*urls(2, fails=(1,)))
        try:
            try:
                raise DownloadFailed("u1")
            except DownloadFailed as exc:
                raise RuntimeError("worker failed") from exc
        except RuntimeError as wrapped:
            item = classify_result(wrapped, sc)
        v = errors_reported(record(sc, serial_trace(sc), results=(payload(sc, "u0"), item)))
        assert v.holds

    def test_failing_url_started_but_never_ended(self):
        sc = scenario(*urls(2, fails=(1,)))
        tr = trace(("start", "u0", "a", 0.0), ("finish", "u0", "a", 1.0), ("start", "u1", "a", 1.0))
        v = errors_reported(record(sc, tr, results=(payload(sc, "u0"), NONE)))
        assert v.message == (
            "u1 (scripted to fail) started but never failed but no result names it "
            "(the subject returned None for it)"
        )

    def test_something_else_in_its_place(self):
        sc = scenario(*urls(2, fails=(0,)))
        odd = classify_result(42, sc)
        v = errors_reported(record(sc, serial_trace(sc), results=(odd, payload(sc, "u1"))))
        assert v.message.endswith("(the subject returned 42 for it)")

    def test_a_payload_claims_the_failing_url(self):
        sc = scenario(*urls(2, fails=(0,)))
        results = (payload(sc, "u1"), payload(sc, "u0"))
        v = errors_reported(record(sc, serial_trace(sc), results=results))
        assert v.message.endswith("(it came back as <64 bytes of u0>)")

    def test_nothing_stands_for_it(self):
        sc = scenario(*urls(2, fails=(0,)))
        results = (payload(sc, "u1"), payload(sc, "u1"))
        v = errors_reported(record(sc, serial_trace(sc), results=results))
        assert v.message.endswith("(nothing among the results stands for it)")

    def test_many_unreported_failures_are_cut_in_evidence(self):
        sc = scenario(*urls(25, fails=tuple(range(25))))
        v = errors_reported(record(sc, serial_trace(sc), results=()))
        assert v.message.startswith(
            "25 of 25 failing URLs not reported: u0 u1 u2 u3 u4 u5 u6 u7 u8 u9 ... (+15 more); "
            "first: u0 failed at t=1.000s"
        )
        assert len(v.evidence) == 21
        assert v.evidence[-1] == "... and 5 more"

    def test_failing_url_never_downloaded(self):
        sc = scenario(*urls(2, fails=(1,)))
        tr = trace(("start", "u0", "a", 0.0), ("finish", "u0", "a", 1.0))
        v = errors_reported(record(sc, tr, results=(payload(sc, "u0"),)))
        assert v.message == (
            "u1 (scripted to fail) was never downloaded but no result names it "
            "(1 result for 2 URLs: it is missing)"
        )

    def test_not_judged_without_return(self):
        sc = scenario(*urls(1, fails=(0,)))
        v = errors_reported(record(sc, outcome=SPIN))
        assert v.holds
        assert (
            v.message == "not judged: download_all did not return (a thread spun without yielding)"
        )


# -- no_deadlock --------------------------------------------------------------------------------


class TestNoDeadlock:
    """The outcome is not a deadlock; if it is, the wait-for graph is the evidence."""

    def test_returned(self):
        v = no_deadlock(record(scenario(), results=()))
        assert v.holds
        assert v.message == "no deadlock (the run ended: returned)"

    def test_deadlock_with_diagnosis(self):
        sc = scenario(*urls(3))
        tr = trace(("start", "u0", "Thread-2", 0.0), ("finish", "u0", "Thread-2", 1.0))
        blocked = (
            ThreadState(
                "MainThread", waiting_on="join(Thread-3)", where="pool.py:30 in download_all"
            ),
            ThreadState("Thread-3", waiting_on="Queue.get", where="pool.py:12 in worker"),
        )
        rec = record(
            sc,
            tr,
            outcome=DEADLOCK,
            blocked=blocked,
            diagnosis="MainThread waits for Thread-3, which waits on an empty queue\nno producer left",
            virtual_time=1.0,
        )
        v = no_deadlock(rec)
        assert not v.holds
        assert v.message == (
            "deadlock at t=1.000s with 1 of 3 downloads ended: "
            "MainThread waits for Thread-3, which waits on an empty queue"
        )
        assert v.evidence == (
            "wait-for graph (2 threads blocked):",
            "  MainThread: join(Thread-3) at pool.py:30 in download_all",
            "  Thread-3: Queue.get at pool.py:12 in worker",
            "diagnosis: MainThread waits for Thread-3, which waits on an empty queue",
            "diagnosis: no producer left",
        )

    def test_deadlock_without_diagnosis(self):
        blocked = (ThreadState("MainThread", waiting_on="Lock held by worker-2"),)
        v = no_deadlock(record(scenario(*urls(1)), outcome=DEADLOCK, blocked=blocked))
        assert v.message == (
            "deadlock at t=0.000s with 0 of 1 downloads ended: MainThread: Lock held by worker-2"
        )

    def test_deadlock_with_nothing_known(self):
        v = no_deadlock(record(scenario(*urls(1)), outcome=DEADLOCK))
        assert v.message.endswith(": no thread can run (the runtime named none)")
        assert v.evidence == ("wait-for graph (0 threads blocked):",)


# -- clean_shutdown ---------------------------------------------------------------------------


class TestCleanShutdown:
    """Once download_all returns, every thread it started ends on its own."""

    def test_clean(self):
        v = clean_shutdown(record(scenario(), results=()))
        assert v.holds
        assert v.message == "every thread ended"

    def test_clean_after_stragglers(self):
        at_return = (ThreadState("Thread-2"), ThreadState("Thread-3", alive=False))
        v = clean_shutdown(record(scenario(), results=(), threads_at_return=at_return))
        assert v.message == "every thread ended (1 was still finishing when download_all returned)"

    def test_leftover_thread_hangs_exit(self):
        left = (
            ThreadState(
                "Thread-3",
                waiting_on="Queue.get",
                where="empty_check_pool.py:47",
                stack=("empty_check_pool.py:47 in worker", "queue.py:171 in get"),
            ),
        )
        v = clean_shutdown(record(scenario(), results=(), threads_at_end=left))
        assert not v.holds
        assert v.message == (
            "Thread-3 blocked forever in Queue.get at empty_check_pool.py:47: "
            "the process would hang at exit"
        )
        assert v.evidence == (
            "Thread-3 blocked forever in Queue.get at empty_check_pool.py:47",
            "  empty_check_pool.py:47 in worker",
            "  queue.py:171 in get",
        )

    def test_daemon_threads_are_leaked(self):
        left = (
            ThreadState("w1", daemon=True, waiting_on="Event.wait"),
            ThreadState("w2", daemon=True),
        )
        v = clean_shutdown(record(scenario(), results=(), threads_at_end=left))
        assert v.message == (
            "w1 (daemon) blocked forever in Event.wait, w2 (daemon) still running: "
            "leaked until the interpreter exits"
        )

    def test_many_leftovers_are_counted(self):
        left = tuple(
            ThreadState(f"T{i}", waiting_on="Lock.acquire", daemon=i > 0) for i in range(5)
        )
        v = clean_shutdown(record(scenario(), results=(), threads_at_end=left))
        assert re.fullmatch(
            r"T0 blocked forever in Lock.acquire, T1 \(daemon\) .*, T2 \(daemon\) .* and 2 more: "
            r"the process would hang at exit",
            v.message,
        )
        assert len(v.evidence) == 5

    def test_not_judged_without_return(self):
        left = (ThreadState("Thread-3", waiting_on="Queue.get"),)
        v = clean_shutdown(record(scenario(), outcome=DEADLOCK, threads_at_end=left))
        assert v.holds
        assert v.message == "not judged: download_all did not return (the run deadlocked)"


# -- terminates -------------------------------------------------------------------------------------


class TestTerminates:
    """The run ends within its budget: no endless loop, no livelock."""

    def test_returned_in_time(self):
        sc = scenario(*urls(2))
        v = terminates(record(sc, serial_trace(sc), results=all_results(sc), virtual_time=2.0))
        assert v.holds
        assert v.message == "ended at t=2.000s (returned); budget 320.000s"

    def test_deadlock_is_not_non_termination(self):
        assert terminates(record(scenario(*urls(1)), outcome=DEADLOCK)).holds

    def test_timeout(self):
        sc = scenario(*urls(2), budget=10.0)
        tr = trace(("start", "u0", "a", 0.0), ("finish", "u0", "a", 1.0))
        blocked = (
            ThreadState("MainThread", waiting_on="sleep until t=10.500s", where="poll.py:9"),
        )
        v = terminates(record(sc, tr, outcome=TIMEOUT, virtual_time=10.5, blocked=blocked))
        assert not v.holds
        assert v.message == (
            "did not finish within its budget of 10.000s virtual time: "
            "reached t=10.500s with 1 of 2 downloads ended"
        )
        assert v.evidence == (
            "wait-for graph (1 thread blocked):",
            "  MainThread: sleep until t=10.500s at poll.py:9",
        )

    def test_spin_names_the_spinning_thread(self):
        blocked = (
            ThreadState("MainThread", waiting_on="join(w1)"),
            ThreadState("w1", where="busy.py:14 in wait_for_slot"),
        )
        v = terminates(
            record(
                scenario(*urls(1)),
                outcome=SPIN,
                blocked=blocked,
                steps=17,
                virtual_time=0.0,
                diagnosis="w1 looped 100000 times reading `active` without yielding",
            )
        )
        assert v.message == (
            "infinite loop: w1 at busy.py:14 in wait_for_slot ran without reaching a scheduling "
            "point (t=0.000s, 17 steps, 0 of 1 downloads ended); "
            "w1 looped 100000 times reading `active` without yielding"
        )

    def test_spin_without_detail(self):
        v = terminates(record(scenario(), outcome=SPIN))
        assert v.message.startswith(
            "infinite loop: a thread ran without reaching a scheduling point"
        )

    def test_step_budget(self):
        v = terminates(
            record(scenario(*urls(4)), outcome=STEP_BUDGET, steps=200000, virtual_time=3.0)
        )
        assert not v.holds
        assert v.message == (
            "livelock: 200000 scheduling decisions without finishing (t=3.000s, 0 of 4 downloads ended)"
        )


# -- no_crash --------------------------------------------------------------------------------------


class TestNoCrash:
    """download_all raises nothing; if it does, its traceback is the evidence."""

    def test_no_crash(self):
        v = no_crash(record(scenario(), results=()))
        assert v.holds
        assert v.message == "download_all raised nothing"

    def test_crash_with_traceback(self):
        try:
            {}["u3"]
        except KeyError as exc:
            crash = Crash.from_exception(exc, thread="MainThread")
        v = no_crash(record(scenario(), outcome=RAISED, crash=crash))
        assert not v.holds
        assert v.message == "download_all raised KeyError: 'u3' in MainThread"
        assert v.evidence[0] == "Traceback (most recent call last):"
        assert v.evidence[-1] == "KeyError: 'u3'"

    def test_raised_without_exception_kept(self):
        v = no_crash(record(scenario(), outcome=RAISED))
        assert v.message == "download_all raised, but the runtime kept no exception"

    def test_returned_none(self):
        crash = Crash("TypeError", "download_all returned None; it must return one item per URL")
        v = no_crash(record(scenario(), outcome=RAISED, crash=crash))
        assert v.message == (
            "download_all raised TypeError: download_all returned None; it must return one item per URL"
        )
        assert v.evidence == ()

    def test_thread_errors_are_mentioned_not_failed(self):
        errors = (Crash("DownloadFailed", "download failed: u1", thread="Thread-4"),)
        v = no_crash(record(scenario(), results=(), thread_errors=errors))
        assert v.holds
        assert v.message == (
            "download_all raised nothing (but 1 thread died of an uncaught exception, "
            "first in Thread-4: DownloadFailed: download failed: u1)"
        )


# -- work_conserving --------------------------------------------------------------------------------


class TestWorkConserving:
    """Slots do not stand idle while URLs wait, beyond the tolerance."""

    def test_head_of_line_blocking(self):
        """u0 takes 10 s; the others finish at 1 s, and nothing starts until u0 ends."""
        sc = scenario(TaskSpec("u0", 10.0), *(TaskSpec(f"u{i}", 1.0) for i in range(1, 6)), limit=3)
        tr = trace(
            ("start", "u0", "T0", 0.0),
            ("start", "u1", "T1", 0.0),
            ("start", "u2", "T2", 0.0),
            ("finish", "u1", "T1", 1.0),
            ("finish", "u2", "T2", 1.0),
            ("finish", "u0", "T0", 10.0),
            ("start", "u3", "T3", 10.0),
            ("start", "u4", "T4", 10.0),
            ("start", "u5", "T5", 10.0),
            ("finish", "u3", "T3", 11.0),
            ("finish", "u4", "T4", 11.0),
            ("finish", "u5", "T5", 11.0),
        )
        v = work_conserving(record(sc, tr, results=all_results(sc)))
        assert not v.holds and v.advisory
        assert v.status == "warn"
        assert v.message == (
            "from t=1.000s to t=10.000s only 1 of 3 slots busy while 3 URLs waited "
            "(idle 120% of download time; tolerance 10%)"
        )
        assert v.evidence[0] == (
            "idle slot-seconds: 18.000 after grace (18.000 raw) against 15.000 download-seconds; "
            "allowed 1.500"
        )

    def test_worst_stretch_reports_a_range_of_busy_slots(self):
        sc = scenario(*urls(4, 4.0), limit=3)
        tr = trace(
            ("start", "u0", "T0", 0.0),
            ("start", "u1", "T1", 2.0),
            ("finish", "u0", "T0", 4.0),
            ("start", "u2", "T2", 5.0),
            ("finish", "u1", "T1", 6.0),
            ("start", "u3", "T3", 6.0),
            ("finish", "u2", "T2", 9.0),
            ("finish", "u3", "T3", 10.0),
        )
        v = work_conserving(record(sc, tr, results=all_results(sc)))
        assert v.message == (
            "from t=0.000s to t=6.000s only 1 to 2 of 3 slots busy while 3 URLs waited "
            "(idle 56% of download time; tolerance 10%)"
        )
        assert v.evidence[3] == "  t=0.000s..6.000s: 9.000 slot-seconds idle, 1-2 busy, 3 waiting"

    def test_pool_handing_over_at_the_same_time_holds(self):
        sc = scenario(*urls(4, 2.0), limit=2)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("start", "u1", "b", 0.0),
            ("finish", "u0", "a", 2.0),
            ("start", "u2", "a", 2.0),
            ("finish", "u1", "b", 2.0),
            ("start", "u3", "b", 2.0),
            ("finish", "u2", "a", 4.0),
            ("finish", "u3", "b", 4.0),
        )
        v = work_conserving(record(sc, tr, results=all_results(sc)))
        assert v.holds
        assert v.message == (
            "idle 0% of download time while URLs waited (0.000 slot-seconds beyond a grace "
            "of 0.000s per gap; tolerance 10%)"
        )

    def test_small_idleness_within_tolerance(self):
        sc = scenario(*urls(3, 10.0), limit=1)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("finish", "u0", "a", 10.0),
            ("start", "u1", "a", 11.0),  # 1 s idle of 30: 3%
            ("finish", "u1", "a", 21.0),
            ("start", "u2", "a", 21.0),
            ("finish", "u2", "a", 31.0),
        )
        assert work_conserving(record(sc, tr, results=all_results(sc))).holds

    def test_serial_subject_ignoring_the_limit(self):
        sc = scenario(*urls(4), limit=4)
        v = work_conserving(record(sc, serial_trace(sc), results=all_results(sc)))
        assert not v.holds
        assert v.message == (
            "from t=0.000s to t=3.000s only 1 of 4 slots busy while 3 URLs waited "
            "(idle 150% of download time; tolerance 10%)"
        )

    def test_tail_after_the_last_start_is_not_counted(self):
        """Once every URL has started, fewer in flight is not idleness."""
        sc = scenario(TaskSpec("u0", 10.0), TaskSpec("u1", 1.0), limit=2)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("start", "u1", "b", 0.0),
            ("finish", "u1", "b", 1.0),
            ("finish", "u0", "a", 10.0),
        )
        assert "idle 0%" in work_conserving(record(sc, tr, results=all_results(sc))).message

    def test_url_never_started_is_not_waiting(self):
        """A dropped URL is lost, not delayed: other checkers report it."""
        sc = scenario(TaskSpec("u0", 10.0), TaskSpec("u1", 1.0), limit=2)
        tr = trace(("start", "u0", "a", 0.0), ("finish", "u0", "a", 10.0))
        assert work_conserving(record(sc, tr, results=(payload(sc, "u0"),))).holds

    def test_real_clock_jitter_is_forgiven(self):
        """Every download runs late, as under real threads: gaps of that order are noise."""
        sc = scenario(*urls(6, 1.0), limit=2)
        rows = []
        t = 0.0
        for i in range(0, 6, 2):
            rows += [("start", f"u{i}", "a", t), ("start", f"u{i + 1}", "b", t + 0.3)]
            rows += [("finish", f"u{i}", "a", t + 1.1), ("finish", f"u{i + 1}", "b", t + 1.4)]
            t += 1.9  # 0.5 s of handoff latency on one slot, 0.8 on the other
        v = work_conserving(record(sc, trace(*rows), results=all_results(sc)))
        assert v.holds
        assert "grace of 3.000s per gap" in v.message

    def test_real_clock_head_of_line_still_warns(self):
        """Every event 0.1 s late, and three slots wait 19 s for the slow head."""
        sc = scenario(
            TaskSpec("u0", 20.0), *(TaskSpec(f"u{i}", 1.0) for i in range(1, 10)), limit=4
        )
        tr = trace(
            *[("start", f"u{i}", f"T{i}", 0.1 * i) for i in range(4)],
            *[("finish", f"u{i}", f"T{i}", 1.1 + 0.1 * i) for i in range(1, 4)],
            ("finish", "u0", "T0", 20.1),
            *[("start", f"u{i}", f"T{i}", 19.8 + 0.1 * i) for i in range(4, 8)],
            *[("finish", f"u{i}", f"T{i}", 20.9 + 0.1 * i) for i in range(4, 8)],
            *[("start", f"u{i}", f"T{i}", 20.9 + 0.1 * i) for i in range(8, 10)],
            *[("finish", f"u{i}", f"T{i}", 22.0 + 0.1 * i) for i in range(8, 10)],
        )
        v = work_conserving(record(sc, tr, results=all_results(sc)))
        assert not v.holds
        assert re.fullmatch(
            r"from t=1\.200s to t=20\.500s only 0 to 3 of 4 slots busy while 6 URLs waited "
            r"\(idle 10\d% of download time; tolerance 75%\)",
            v.message,
        )
        assert v.evidence[1] == (
            "each idle gap is forgiven 8.700s (a real clock: most downloads ran late)"
        )

    def test_real_clock_uniform_slow_handoffs_hold(self):
        """Each new thread takes 2 s to start (a loaded machine at 1 ms per second): the
        run's own typical gap is forgiven, even though the trace then looks serial."""
        sc = scenario(*urls(6), limit=4)
        rows = [("start", "u0", "T0", 1.6), ("fail", "u0", "T0", 2.7)]
        for i in range(1, 6):
            rows += [
                ("start", f"u{i}", f"T{i}", 2.7 + 2.2 * i),
                ("finish", f"u{i}", f"T{i}", 3.8 + 2.2 * i),
            ]
        v = work_conserving(record(sc, trace(*rows), results=all_results(sc)))
        assert v.holds, v.message

    def test_download_that_never_ends_is_no_clock_sample(self):
        sc = scenario(*urls(3), limit=3)
        tr = trace(
            ("start", "u0", "a", 0.0),
            ("start", "u1", "b", 0.0),
            ("start", "u2", "c", 0.0),
            ("finish", "u1", "b", 1.0),
            ("finish", "u2", "c", 1.0),
        )
        v = work_conserving(record(sc, tr, results=()))
        assert v.holds
        assert "grace of 0.000s per gap" in v.message

    def test_zero_duration_downloads_are_not_judged(self):
        sc = scenario(*urls(3, 0.0), limit=2)
        v = work_conserving(record(sc, serial_trace(sc), results=all_results(sc)))
        assert v.holds
        assert (
            v.message == "not judged: the downloads take no time, so no slot-time can be measured"
        )

    def test_clock_advanced_while_a_thread_could_run(self):
        sc = scenario(*urls(4), limit=4)
        v = work_conserving(
            record(sc, serial_trace(sc), results=all_results(sc), decisions=(2, 0, 1, 0))
        )
        assert v.holds
        assert v.message == (
            "not judged: the schedule advanced the clock 2 times while a thread could run, "
            "so idle slots are not the subject's alone"
        )

    def test_not_judged_without_return(self):
        sc = scenario(*urls(4), limit=4)
        v = work_conserving(record(sc, serial_trace(sc), outcome=DEADLOCK))
        assert v.holds and v.advisory
        assert v.message == "not judged: download_all did not return (the run deadlocked)"


class TestScenarioFacts:
    """What checkers derive from a scenario alone is computed once, and never mixed up."""

    def test_each_scenario_keeps_its_own_facts(self):
        scenarios = [scenario(*urls(n, duration=n, fails=(0,))) for n in range(1, 12)]
        for _ in range(2):  # more scenarios than are kept: some are computed again
            for n, sc in enumerate(scenarios, start=1):
                facts = scenario_facts(sc)
                assert (facts.total_duration, facts.failing) == (n * n, ("u0",))
                assert facts.succeeding == tuple(f"u{i}" for i in range(1, n))
                assert dict(facts.durations) == {f"u{i}": n for i in range(n)}
        assert scenario_facts(scenarios[-1]) is scenario_facts(scenarios[-1])
        assert scenario_facts(scenarios[-1]).time_budget == scenarios[-1].time_budget


class TestKeptVerdicts:
    """A holding verdict kept for its key says exactly what one made afresh would say."""

    @staticmethod
    def _forget_kept() -> None:
        from interlock.checkers import _conserving, _duplicates, _in_flight, _lost, _termination

        for module in (_conserving, _duplicates, _in_flight, _lost, _termination):
            module._HELD.clear()

    def test_kept_and_fresh_verdicts_are_equal(self):
        from interlock.runtime.controlled import ControlledRuntime
        from interlock.runtime.strategies import make_strategy
        from interlock.scenarios import load_scenario
        from interlock.subjects import builtin_subjects

        subjects = builtin_subjects()
        runtime = ControlledRuntime()
        records = []
        with runtime.session():
            for name in (
                "article_queue",
                "article_semaphore",
                "fail_fast_pool",
                "empty_check_pool",
            ):
                for scenario_name in ("tiny", "limit_1", "slow_head", "all_fail", "empty"):
                    sc = load_scenario(scenario_name)
                    for seed in range(4):
                        strategy = make_strategy("random", seed)
                        strategy.new_execution()
                        records.append(runtime.run(subjects[name], sc, strategy))
        # By hand: as many results as URLs, but fewer of them started (or the other way).
        sc = scenario(*urls(4))
        for started in range(5):
            tr = serial_trace(scenario(*sc.tasks[:started])) if started else Trace()
            for results in (all_results(sc), all_results(sc)[:2], (NONE,) * 4):
                records.append(record(sc, tr, results=results))
        # By hand: a slot idle for a moment, within the tolerance, for two lengths.
        for gap in (0.05, 0.1):
            rows = [
                ("start", "u0", "w1", 0.0),
                ("start", "u1", "w2", 0.0),
                ("finish", "u0", "w1", 1.0),
                ("finish", "u1", "w2", 1.0),
                ("start", "u3", "w2", 1.0),
                ("start", "u2", "w1", 1.0 + gap),
                ("finish", "u3", "w2", 2.0),
                ("finish", "u2", "w1", 2.0 + gap),
            ]
            records.append(record(sc, trace(*rows), results=all_results(sc)))
        self._forget_kept()
        warm = [check_all(r) for r in records]  # later records meet verdicts kept before
        assert any(v.holds for verdicts in warm for v in verdicts)
        for r, verdicts in zip(records, warm, strict=True):
            self._forget_kept()
            assert check_all(r) == verdicts

    def test_kept_verdicts_are_dropped_past_the_cap(self):
        from interlock.checkers._common import _KEPT, keep

        kept: dict = {}
        verdicts = [keep(kept, i, no_crash(record(scenario(*urls(1))))) for i in range(_KEPT)]
        assert len(kept) == _KEPT and verdicts[0] is kept[0]
        keep(kept, "one more", verdicts[0])
        assert kept == {"one more": verdicts[0]}
