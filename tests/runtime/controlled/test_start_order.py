"""After ``Thread.start()``, either the new thread or its starter may go on first."""

from __future__ import annotations

import threading

import pytest

from interlock.runtime.controlled import run_controlled_ex

pytestmark = pytest.mark.timeout(60)


def starter_reads_what_the_thread_sets() -> bool:
    class Worker(threading.Thread):
        def run(self):
            self.ready = True

    worker = Worker()
    worker.start()
    seen = getattr(worker, "ready", False)  # the starter may get here before run() did
    worker.join()
    return seen


def thread_reads_what_the_starter_sets_after_start() -> bool:
    box = {}
    seen = []
    worker = threading.Thread(target=lambda: seen.append("url" in box))
    worker.start()
    box["url"] = "u0"  # set only after start(): the thread may already have looked
    worker.join()
    return seen[0]


@pytest.mark.parametrize(
    "program",
    [starter_reads_what_the_thread_sets, thread_reads_what_the_starter_sets_after_start],
    ids=lambda f: f.__name__,
)
def test_both_orders_happen(program):
    outcomes = {run_controlled_ex(program, seed=seed).value for seed in range(40)}
    assert outcomes == {True, False}
