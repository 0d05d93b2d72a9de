"""The same seed gives the same trace, byte for byte, on every supported Python.

The digests cover the rendered trace and the decision list of one run of each
built-in subject on ``limit_3``, for a random and a PCT schedule of seed 5.
They were computed on 3.10, 3.11, 3.12 and 3.13 alike, with one exception:
``concurrent.futures.ThreadPoolExecutor``'s worker loop changed in 3.12 (it
tries ``get_nowait()`` and releases its idle semaphore before a blocking
``get()``), which is different synchronisation, so ``executor_map`` has one
pair of digests for 3.10/3.11 and another for 3.12/3.13.
"""

from __future__ import annotations

import hashlib
import sys

import pytest

from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.strategies import make_strategy
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects

NEW_EXECUTOR = sys.version_info >= (3, 12)

PINNED = {
    ("article_queue", "random"): "b1ffb543c1198123",
    ("article_queue", "pct"): "958d56fb41f0d836",
    ("article_queue_minus_two", "random"): "16ae3b02e71206cd",
    ("article_queue_minus_two", "pct"): "8b12e281bd5f18ba",
    ("article_semaphore", "random"): "f6c8f70ba233206f",
    ("article_semaphore", "pct"): "4312af209429fab3",
    ("empty_check_pool", "random"): "db22410c0b397267",
    ("empty_check_pool", "pct"): "a048f31dfd9a9034",
    ("end_marker_pool", "random"): "8d9de671f19a3d32",
    ("end_marker_pool", "pct"): "524bbc0343fd4533",
    ("end_marker_pool_as_posted", "random"): "01ba4719c80b6fe9",
    ("executor_map", "random"): "47754809820f9517" if NEW_EXECUTOR else "909a3e9a22e8ed43",
    ("executor_map", "pct"): "76421be5818504ce" if NEW_EXECUTOR else "d60340142321dfbf",
}


def run(name: str, spec: str, seed: int = 5):
    strategy = make_strategy(spec, seed)
    strategy.new_execution()
    return ControlledRuntime().run(builtin_subjects()[name], load_scenario("limit_3"), strategy)


def digest(record) -> str:
    text = record.trace.render() + "\n" + ",".join(map(str, record.decisions))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@pytest.mark.parametrize(("name", "spec"), sorted(PINNED))
def test_pinned_across_python_versions(name, spec):
    assert digest(run(name, spec)) == PINNED[(name, spec)]


def test_same_seed_same_trace_and_another_seed_differs():
    first, again, other = (
        run("article_queue", "random", 11),
        run("article_queue", "random", 11),
        run("article_queue", "random", 12),
    )
    assert first.trace.render() == again.trace.render()
    assert first.decisions == again.decisions
    assert first.decisions != other.decisions
