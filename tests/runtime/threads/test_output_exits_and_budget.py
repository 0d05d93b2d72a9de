"""The real-threads runtime at its edges: floods of output, threads that exit with
SystemExit, and a time budget reached while every thread is parked."""

from __future__ import annotations

import sys
import threading

import pytest

from interlock.models import Scenario, TaskSpec
from interlock.models.record import DEADLOCK, RETURNED
from interlock.runtime.threads import ThreadsRuntime
from tests.kit import subject

pytestmark = pytest.mark.timeout(30)

ONE = Scenario("one", (TaskSpec("u0", duration=1.0),), limit=1)


def floods_stdout(urls, fetch, limit):
    for i in range(1000):
        sys.stdout.write(f"line {i:04d} " + "x" * 90 + "\n")  # 101 characters a write
    print("to stderr", file=sys.stderr)
    return [fetch(url) for url in urls]


def threads_exit(urls, fetch, limit):
    def quits():
        sys.exit(0)

    def breaks():
        raise ValueError("bad worker")

    threads = [threading.Thread(target=quits, name="quits")]
    threads.append(threading.Thread(target=breaks, name="breaks"))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [fetch(url) for url in urls]


def joins_a_waiter(urls, fetch, limit):
    never = threading.Event()
    waiter = threading.Thread(target=never.wait, name="waiter")
    waiter.start()
    waiter.join()
    return []


def test_a_flood_of_output_is_cut_and_counted():
    record = ThreadsRuntime().run(subject(floods_stdout), ONE)
    assert record.outcome == RETURNED
    kept = -(-64 * 1024 // 101)  # whole writes are kept until 64 KiB is reached: 649
    assert record.notes == (
        "stdout: line 0000 " + "x" * 90,
        "stdout: line 0001 " + "x" * 90,
        "stdout: line 0002 " + "x" * 90,
        "stdout: line 0003 " + "x" * 90,
        "stdout: line 0004 " + "x" * 90,
        f"stdout: ... {kept - 5} more lines (and {(1000 - kept) * 101} chars dropped)",
        "stderr: to stderr",
    )


def test_system_exit_ends_a_thread_quietly():
    record = ThreadsRuntime().run(subject(threads_exit), ONE)
    assert record.outcome == RETURNED
    assert [(e.type, e.message, e.thread) for e in record.thread_errors] == [
        ("ValueError", "bad worker", "breaks")
    ]


def test_everyone_parked_at_the_time_budget_is_a_deadlock():
    # The budget (0.1 s real) comes before the quiet period that would confirm a
    # deadlock early (0.2 s), so the watchdog decides at the budget itself.
    runtime = ThreadsRuntime(min_budget=0.1)
    short = Scenario("short", (), limit=1, budget=1.0)
    assert runtime.plan(short).budget < runtime.plan(short).quiet
    record = runtime.run(subject(joins_a_waiter), short)
    assert record.outcome == DEADLOCK
    assert record.diagnosis.startswith(
        "deadlock: at the time budget (1 virtual s) all 2 thread(s) were blocked: "
    )
    assert "Thread.join(waiter)" in record.diagnosis
    assert "Event.wait" in record.diagnosis
