"""What a subject hands back or raises is its own code too: its __repr__, __str__,
__eq__, __hash__, __bytes__ and __getattr__ may loop, block or raise. interlock turns
results and exceptions into text after the run, outside every budget, so each of
these must be read without trusting it.

Before: a result whose __repr__ looped hung verify past any budget (controlled
runtime), a false ``terminates`` FAIL came back under the threads runtime (the child
classified the results inside the run's real-time budget), and an exception whose
__str__ raised was reported as that RuntimeError instead of the subject's own type.
"""

from __future__ import annotations

import threading
import time

import pytest

from interlock.models import Budget, Crash, classify_result, make_payload
from interlock.models._guarded import LIMIT, safe_attr, safe_repr, safe_str
from interlock.scenarios import load_scenario
from interlock.verify import Verifier
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)


class LoopingRepr:
    """A result whose every dunder a checker might call misbehaves."""

    def __init__(self, value):
        self.value = value

    def __repr__(self):
        while True:
            pass

    def __eq__(self, other):
        while True:
            pass

    def __hash__(self):
        raise RuntimeError("no hash")

    def __getattr__(self, name):
        while True:
            pass


class StrLoops(Exception):
    def __str__(self):
        while True:
            pass


class StrRaises(Exception):
    def __str__(self):
        raise RuntimeError("__str__ refuses")


class SneakyBytes(bytes):
    def __eq__(self, other):
        while True:
            pass

    __hash__ = bytes.__hash__

    def __bytes__(self):
        raise RuntimeError("no bytes")

    def startswith(self, *args):
        raise RuntimeError("no startswith")


def _pool(wrap):
    """A correct pool of ``limit`` workers; each result goes through ``wrap``."""

    def download_all(urls, fetch, limit):
        lock = threading.Lock()
        todo = list(enumerate(urls))
        results = [None] * len(urls)

        def worker():
            while True:
                with lock:
                    if not todo:
                        return
                    i, url = todo.pop()
                try:
                    results[i] = wrap(fetch(url))
                except OSError as exc:
                    results[i] = exc
            # unreachable

        threads = [threading.Thread(target=worker) for _ in range(min(limit, len(urls)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results

    return download_all


def looping_repr_results(urls, fetch, limit):
    return _pool(LoopingRepr)(urls, fetch, limit)


def failures_whose_str_loops(urls, fetch, limit):
    results = _pool(lambda data: data)(urls, fetch, limit)
    return [StrLoops(r.url) if isinstance(r, OSError) else r for r in results]


def raises_an_exception_whose_str_raises(urls, fetch, limit):
    _pool(lambda data: data)(urls, fetch, limit)
    raise StrRaises("u0")


def sneaky_bytes_results(urls, fetch, limit):
    return _pool(SneakyBytes)(urls, fetch, limit)


def _verify(fn, runtime="controlled", scenarios=("tiny",), seconds=4.0):
    started = time.monotonic()
    report = Verifier(runtime, budget=Budget(runs=4, generated=0, seconds=seconds)).verify(
        subject(fn), list(scenarios)
    )
    return report, time.monotonic() - started


def _verdict(report, invariant):
    return next(v for v in report.verdicts if v.invariant == invariant)


@pytest.mark.parametrize("runtime", ["controlled", "threads"])
def test_a_result_whose_repr_loops_is_judged_within_the_budget(runtime):
    report, took = _verify(looping_repr_results, runtime)
    # About the budget plus a few guarded reprs; before, the controlled runtime never
    # answered and the threads runtime took its whole run budget per run.
    assert took < 60
    # The results are not the payloads (true), and nothing is said to hang (false
    # before, under threads: "download_all had not returned ... in __repr__").
    lost = _verdict(report, "no_lost_results")
    assert not lost.holds
    assert "did not return within" in lost.message, lost.message
    assert _verdict(report, "terminates").holds, _verdict(report, "terminates").message
    assert _verdict(report, "max_in_flight").holds


def test_a_failure_whose_str_loops_is_reported_with_a_placeholder():
    report, took = _verify(failures_whose_str_loops, scenarios=("all_fail",))
    assert took < 60
    assert _verdict(report, "terminates").holds
    # The failures are still recognised as the URLs' failures from their args.
    assert _verdict(report, "no_lost_results").holds, _verdict(report, "no_lost_results").message


def test_an_exception_whose_str_raises_is_named_by_its_own_type():
    report, _ = _verify(raises_an_exception_whose_str_raises)
    crash = _verdict(report, "no_crash")
    assert not crash.holds
    assert "StrRaises" in crash.message, crash.message
    assert "RuntimeError" in crash.message  # what its __str__ did, said as such
    assert "__str__ refuses" not in crash.message


def test_a_bytes_subclass_is_read_through_bytes_own_methods():
    tiny = load_scenario("tiny")
    url = tiny.urls[0]
    item = classify_result(SneakyBytes(make_payload(tiny.seed, url, tiny.task(url).size)), tiny)
    assert (item.kind, item.url, item.intact) == ("payload", url, True)


def test_the_guard_bounds_and_names_what_the_subject_code_did():
    started = time.monotonic()
    assert (
        safe_repr(LoopingRepr(1))
        == "<LoopingRepr object, repr() failed: did not return within 0.5 s>"
    )
    assert time.monotonic() - started < LIMIT + 2
    assert safe_str(StrRaises("x")) == "<StrRaises object, str() failed: raised RuntimeError>"
    assert safe_str(ValueError("plain", 1)) == "('plain', 1)"
    assert safe_attr(LoopingRepr(1), "url") is None  # __getattr__ is not run
    crash = Crash.from_exception(StrLoops("u1"))
    assert crash.type == "StrLoops" and "did not return" in crash.message


def test_the_guard_leaves_an_alarm_of_the_callers_running():
    import signal

    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 5.0)
        safe_repr(LoopingRepr(1))
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 5.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert not fired
