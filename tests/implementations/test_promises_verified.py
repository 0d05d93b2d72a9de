"""Promises end to end: subjects that declare ``PROMISES``, verified under the
controlled scheduler; for each promise one that keeps it (it holds) and one that
breaks it (found, with a replay token), and the same code without the promise."""

from __future__ import annotations

import threading

import pytest

from interlock.implementations import fail_fast_pool
from interlock.models import Promises, Scenario, Subject, TaskSpec
from interlock.subjects import builtin_subjects
from interlock.verify import Budget, Verifier
from tests.kit import module

pytestmark = pytest.mark.timeout(120)


# -- the subjects ------------------------------------------------------------------


def by_index(urls, fetch, limit):
    """``limit`` workers take URL indices in turn; item i is URL i's."""
    results = [None] * len(urls)
    numbered = iter(range(len(urls)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                i = next(numbered, None)
            if i is None:
                return
            try:
                results[i] = fetch(urls[i])
            except Exception as exc:
                results[i] = exc

    return _run(work, min(limit, len(urls)), results)


def as_finished(urls, fetch, limit):
    """The same pool, each item appended as its download finishes."""
    results = []
    todo = iter(urls)
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                url = next(todo, None)
            if url is None:
                return
            try:
                item = fetch(url)
            except Exception as exc:
                item = exc
            with lock:
                results.append(item)

    return _run(work, min(limit, len(urls)), results)


def _run(work, n, results):
    threads = [threading.Thread(target=work) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def gated(extra: int):
    """A thread per URL, at most ``limit + extra`` of them downloading at once."""

    def download_all(urls, fetch, limit):
        gate = threading.BoundedSemaphore(limit + extra)
        results = [None] * len(urls)

        def one(i):
            with gate:
                try:
                    results[i] = fetch(urls[i])
                except Exception as exc:
                    results[i] = exc

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
        return _start_join(threads, results)

    return download_all


def _start_join(threads, results):
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def serial(urls, fetch, limit):
    """One download at a time, whatever the limit."""
    results = []
    for url in urls:
        try:
            results.append(fetch(url))
        except Exception as exc:
            results.append(exc)
    return results


def stopping(shared: bool):
    """Workers that stop taking URLs once a download failed: every worker when the
    stop is ``shared``, only the one whose download failed otherwise (the slip)."""

    def download_all(urls, fetch, limit):
        results: dict[int, object] = {}
        numbered = iter(range(len(urls)))
        lock = threading.Lock()
        stop = threading.Event()

        def work():
            mine = threading.Event()
            while True:
                with lock:
                    i = None if (stop if shared else mine).is_set() else next(numbered, None)
                if i is None:
                    return
                try:
                    item = fetch(urls[i])
                except Exception as exc:
                    item = exc
                    (stop if shared else mine).set()
                with lock:
                    results[i] = item

        _run(work, min(limit, len(urls)), [])
        return [results[i] for i in sorted(results)]

    return download_all


def subject(name: str, fn, **promises) -> Subject:
    """The subject a module holding ``fn`` and ``PROMISES = promises`` declares."""
    mod = module(name, download_all=fn, PROMISES=promises or None)
    return Subject.from_module(mod, "download_all", f"promised:{name}")


# -- scenarios and the verifier --------------------------------------------------


def scenario(name: str, durations, limit: int, fails=()) -> Scenario:
    tasks = tuple(TaskSpec(f"u{i}", d, fails=i in fails) for i, d in enumerate(durations))
    return Scenario(name, tasks, limit)


SLOW_FIRST = scenario("slow_first", [3.0, 1.0, 1.0, 2.0], limit=2)
FIVE = scenario("five", [1.0, 1.0, 1.0, 1.0, 1.0], limit=2)
FAILS_EARLY = scenario("fails_early", [2.0, 1.0, 2.0, 2.0, 2.0, 2.0], limit=2, fails=(1,))


@pytest.fixture(scope="module")
def verifier():
    return Verifier("controlled", seed=0, budget=Budget(runs=30))


def verdict(report, name):
    return next(v for v in report.verdicts if v.invariant == name)


class TestOrdered:
    """A subject promising URL order is held to it."""

    def test_kept(self, verifier):
        report = verifier.verify(subject("by_index", by_index, ordered=True), [SLOW_FIRST])
        assert report.broken() == set(), report.verdicts
        assert verdict(report, "ordered").message == "held in 30 runs"

    def test_broken_is_found_with_a_token(self, verifier):
        report = verifier.verify(subject("as_finished", as_finished, ordered=True), [SLOW_FIRST])
        assert report.broken() == {"ordered"}, report.verdicts
        found = verdict(report, "ordered")
        assert "(the subject promises results in URL order)" in found.message
        assert found.replay and found.replay.startswith("il1.")

    def test_without_the_promise_order_is_free(self, verifier):
        report = verifier.verify(subject("as_finished_free", as_finished), [SLOW_FIRST])
        assert report.broken() == set(), report.verdicts


class TestBound:
    """A subject promising another bound than ``limit`` is held to that bound."""

    def test_limit_plus_one_kept(self, verifier):
        report = verifier.verify(subject("plus1", gated(1), bound="limit + 1"), [FIVE])
        assert report.broken() == set(), report.verdicts

    def test_limit_plus_one_broken(self, verifier):
        report = verifier.verify(subject("plus2", gated(2), bound="limit + 1"), [FIVE])
        assert report.broken() == {"max_in_flight"}, report.verdicts
        found = verdict(report, "max_in_flight")
        assert found.message.startswith("4 downloads in flight")
        assert found.message.endswith("the subject promises at most limit + 1 = 3 (limit 2)")

    def test_without_the_promise_the_limit_counts(self, verifier):
        report = verifier.verify(subject("plus1_unpromised", gated(1)), [FIVE])
        assert report.broken() == {"max_in_flight"}, report.verdicts
        assert verdict(report, "max_in_flight").message.endswith("limit is 2")

    def test_one_at_a_time_kept(self, verifier):
        report = verifier.verify(subject("serial", serial, bound=1), [FIVE])
        assert report.broken() == set(), report.verdicts

    def test_one_at_a_time_broken(self, verifier):
        report = verifier.verify(subject("gated", gated(0), bound=1), [FIVE])
        assert report.broken() == {"max_in_flight"}, report.verdicts
        assert (
            "the subject promises at most 1 (limit 2)" in verdict(report, "max_in_flight").message
        )


class TestFailFast:
    """A subject promising fail-fast starts nothing once a failure was seen, and owes
    nothing for the URLs it then never started."""

    def test_kept(self, verifier):
        report = verifier.verify(subject("stops", stopping(True), fail_fast=True), [FAILS_EARLY])
        assert report.broken() == set(), report.verdicts

    def test_broken_is_found_with_a_token(self, verifier):
        report = verifier.verify(subject("slips", stopping(False), fail_fast=True), [FAILS_EARLY])
        # Once one worker stops, the other downloads alone: a slot idles (advisory).
        assert report.broken() == {"fail_fast", "work_conserving"}, report.verdicts
        found = verdict(report, "fail_fast")
        assert found.message.startswith("1 download started after u1 failed at t=1.000s")
        assert found.replay and found.replay.startswith("il1.")

    def test_without_the_promise_the_urls_it_skipped_are_lost(self, verifier):
        report = verifier.verify(subject("stops_unpromised", stopping(True)), [FAILS_EARLY])
        assert report.broken() == {"no_lost_results"}, report.verdicts

    def test_kept_with_real_threads(self):
        threads = Verifier("threads", seed=0, budget=Budget(runs=2))
        report = threads.verify(
            subject("stops_threads", stopping(True), fail_fast=True), [FAILS_EARLY]
        )
        assert report.broken() - {"work_conserving"} == set(), report.verdicts


class TestTheBuiltInExample:
    """``fail_fast_pool`` declares its promises, and needs them to hold."""

    def test_its_promises_are_read(self):
        pool = builtin_subjects()["fail_fast_pool"]
        assert pool.promises == Promises(ordered=True, fail_fast=True)

    def test_its_code_without_them_loses_what_it_never_started(self, verifier):
        bare = Subject(name="bare", download_all=fail_fast_pool.download_all, target="bare")
        report = verifier.verify(bare, [FAILS_EARLY])
        assert report.broken() == {"no_lost_results"}, report.verdicts
