"""The same schedule twice is the same run, whatever memory looks like: orders the
stdlib takes from id() (sets of futures, concurrent.futures.wait's lock order) are
made repeatable."""

from __future__ import annotations

import random
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait

import pytest

from interlock.models import Scenario, TaskSpec
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.strategies import make_strategy
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)

SIX = Scenario("six", tuple(TaskSpec(f"u{i}", duration=1.0 + i % 3) for i in range(6)), limit=3)


def polls_with_wait(urls, fetch, limit):
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
        return [f.result() for f in futures]


def collects_as_completed(urls, fetch, limit):
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = {pool.submit(fetch, url): url for url in urls}
        return [f.result() for f in as_completed(futures)]


@pytest.mark.parametrize("fn", [polls_with_wait, collects_as_completed], ids=lambda f: f.__name__)
def test_the_same_seed_gives_the_same_run_whatever_the_allocations(fn):
    runtime = ControlledRuntime()
    seen = set()
    litter = []
    with runtime.session():
        for round_ in range(6):
            # Leave holes of a future's size in a different pattern each time: the
            # run's futures then get addresses in another order than they are made.
            blocks = [Future() for _ in range(3000)]
            rng = random.Random(round_)
            litter.append([b for b in blocks if rng.random() < 0.5])
            del blocks
            strategy = make_strategy("pct", 3)
            strategy.new_execution()
            record = runtime.run(subject(fn), SIX, strategy)
            seen.add((record.decisions, record.trace.render()))
    assert len(seen) == 1


def test_futures_are_ordered_by_creation_not_by_address():
    import concurrent.futures._base as base

    from interlock.runtime.controlled import run_controlled

    def orders():
        blocks = [Future() for _ in range(2000)]
        holes = [b for i, b in enumerate(blocks) if i % 3]  # free every third block
        del blocks
        made = [Future() for _ in range(60)]  # fill the holes, in LIFO order
        index = {id(f): i for i, f in enumerate(made)}
        locked = [index[id(f)] for f in base._AcquireFutures(made).futures]
        iterated = [index[id(f)] for f in set(made)]
        del holes
        return locked, iterated

    locked, iterated = run_controlled(orders)
    assert locked == list(range(60))
    assert sorted(iterated) == list(range(60)) and run_controlled(orders)[1] == iterated
