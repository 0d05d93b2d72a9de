"""A violation's run replayed under observation: what each thread did, where, and the
state of every thread at each download event, derived from the run itself."""

from __future__ import annotations

import threading
import time

from interlock.checkers import check_all
from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.controlled._engine import Engine
from interlock.runtime.strategies import make_strategy
from interlock.subjects import load_target
from tests.kit import subject

FIVE_AT_FOUR = Scenario("five", tuple(TaskSpec(f"u{i}", 1.0) for i in range(5)), 4)


def _violating(runtime, target, scenario, invariant):
    for seed in range(200):
        strategy = make_strategy("random", seed)
        strategy.new_execution()
        record = runtime.run(target, scenario, strategy)
        if not check_all(record, [invariant])[0].holds:
            return record
    raise AssertionError("no violation in 200 schedules")


def test_the_article_at_the_moment_of_five_in_flight():
    runtime = ControlledRuntime()
    article = load_target("article_queue")
    with runtime.session():
        record = _violating(runtime, article, FIVE_AT_FOUR, "max_in_flight")
        again, story = runtime.observe(article, FIVE_AT_FOUR, record.decisions)
    assert again.trace.render() == record.trace.render()  # observing changes nothing
    peak = again.trace.max_in_flight()
    assert peak.count == 5
    states = {s.name: s for s in story.threads_at(peak.seq)}
    # Derived from the run: the consumer joins one FileGetter, four others download,
    # the producer has just started the fifth (its next step blocks in Queue.put).
    consumer = states["Thread-2 (consumer)"]
    assert consumer.waiting_on.startswith("Thread.join") and "article_queue.py:" in consumer.where
    downloading = [s for s in states.values() if (s.waiting_on or "").startswith("FakeDownloader")]
    assert len(downloading) == 4
    assert all(
        name.endswith("(FileGetter)")
        for name in states
        if name.startswith("Thread-") and name not in ("Thread-1 (producer)", "Thread-2 (consumer)")
    )
    kinds = [(s.thread, s.kind) for s in story.steps]
    assert ("Thread-1 (producer)", "spawn") in kinds
    assert sum(kind == "start" for _, kind in kinds) == 5
    blocks = [s for s in story.steps if s.kind == "block" and s.what.startswith("Queue.put")]
    assert blocks and blocks[-1].where.startswith("article_queue.py:")


def test_observing_leaves_the_engine_as_it_was():
    runtime = ControlledRuntime()
    article = load_target("article_semaphore")
    with runtime.session():
        record = runtime.run(article, FIVE_AT_FOUR, _baseline())
        runtime.observe(article, FIVE_AT_FOUR, record.decisions)
    assert "point" not in runtime.engine.__dict__ and "_schedule" not in runtime.engine.__dict__
    assert runtime.engine.point.__func__ is Engine._schedule


def _baseline():
    strategy = make_strategy("random", 0)
    strategy.new_execution()
    return strategy


def test_a_thread_that_blocks_and_wakes_is_told_with_its_line():
    def waits_for_an_event(urls, fetch, limit):
        ready = threading.Event()
        results = []

        def worker():
            ready.wait()
            results.extend(fetch(u) for u in urls)

        t = threading.Thread(target=worker, name="waiter")
        t.start()
        time.sleep(0.5)  # the waiter blocks first, whatever the schedule
        ready.set()
        t.join()
        return results

    runtime = ControlledRuntime()
    target = subject(waits_for_an_event)
    scenario = Scenario("one", (TaskSpec("u0", 1.0),), 1)
    with runtime.session():
        record = runtime.run(target, scenario, _baseline())
        _, story = runtime.observe(target, scenario, record.decisions)
    told = [s.describe() for s in story.steps if s.thread == "waiter"]
    assert any("blocks in Event.wait" in line and "test_story.py:" in line for line in told), told
    assert any(line.startswith("waiter starts downloading u0") for line in told), told
    assert any(line.startswith("waiter goes on after Event.wait") for line in told), told
    assert told[-1] == "waiter ends"
