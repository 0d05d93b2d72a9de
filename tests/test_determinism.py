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
    ("article_queue", "random"): "801c7263ef5351fc",
    ("article_queue", "pct"): "b0ea48c3cb9b8930",
    ("article_queue_minus_two", "random"): "7f338268b773eecc",
    ("article_queue_minus_two", "pct"): "267fd8d7779ea605",
    ("article_semaphore", "random"): "f95ad2f3329c8678",
    ("article_semaphore", "pct"): "773b483b0d26d00c",
    ("empty_check_pool", "random"): "9e92f49ba67126c3",
    ("empty_check_pool", "pct"): "3d0898c5b1f9cae0",
    ("end_marker_pool", "random"): "824a40581b19b02a",
    ("end_marker_pool", "pct"): "4b9cd11afd2fdb5a",
    ("end_marker_pool_as_posted", "random"): "01ba4719c80b6fe9",
    ("executor_map", "random"): "96d83b329946c0b4" if NEW_EXECUTOR else "c7b0d63a65817ade",
    ("executor_map", "pct"): "ebf906153cad224c" if NEW_EXECUTOR else "322d997615c775d9",
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
