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
    ("article_queue", "random"): "90fba74746b714d6",
    ("article_queue", "pct"): "49c6e4bfdccda6f1",
    ("article_queue_minus_two", "random"): "ec27f5e56c92d0b9",
    ("article_queue_minus_two", "pct"): "152a773eab1fe8a5",
    ("article_semaphore", "random"): "32e0092fbb8410f0",
    ("article_semaphore", "pct"): "c4d1e0fd19d1593a",
    ("empty_check_pool", "random"): "4a77034c2674e88e",
    ("empty_check_pool", "pct"): "85e981a329790056",
    ("end_marker_pool", "random"): "8d9de671f19a3d32",
    ("end_marker_pool", "pct"): "4fb3aa89a309ea2d",
    ("end_marker_pool_as_posted", "random"): "01ba4719c80b6fe9",
    ("executor_map", "random"): "c612c0d18c159d1d" if NEW_EXECUTOR else "e857684694af2ddb",
    ("executor_map", "pct"): "c69d2899818449f6" if NEW_EXECUTOR else "096a740939c43ed2",
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
