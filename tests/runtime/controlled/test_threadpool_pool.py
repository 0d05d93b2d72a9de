"""``multiprocessing.pool.ThreadPool`` on the controlled scheduler.

Its worker-handler thread waits on a ``multiprocessing.SimpleQueue`` (a pipe)
with ``multiprocessing.connection.wait``; the scheduler models both, so a pool
runs to completion instead of blocking the OS thread in ``select`` (once
reported as a spin).
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.pool import ThreadPool

import pytest

from interlock.runtime.controlled import run_controlled_ex

SEEDS = range(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_map_in_a_with_block_completes(seed):
    def main():
        with ThreadPool(2) as pool:
            return pool.map(abs, [-1, -2, -3])

    result = run_controlled_ex(main, seed=seed, spin_limit=0.5)
    assert result.execution.stop == "ended"
    assert result.unwrap() == [1, 2, 3]
    assert result.execution.leftover == ()


@pytest.mark.parametrize("seed", SEEDS)
def test_imap_unordered_with_close_and_join_leaves_no_thread(seed):
    def main():
        pool = ThreadPool(3)
        got = sorted(pool.imap_unordered(abs, range(-5, 0)))
        pool.close()
        pool.join()
        return got

    result = run_controlled_ex(main, seed=seed, spin_limit=0.5)
    assert result.unwrap() == [1, 2, 3, 4, 5]
    assert result.execution.threads_at_end == ()


@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_pool_never_closed_reports_its_threads():
    kept = []

    def main():
        pool = ThreadPool(2)
        kept.append(pool)  # still referenced: its finalizer cannot tidy up behind our back
        return pool.map(abs, [-1, -2])

    ex = run_controlled_ex(main, seed=0, spin_limit=0.5).execution
    assert ex.main_done and ex.stop == "ended"
    names = sorted(s.name.split(" ")[-1] for s in ex.leftover)
    assert names == [
        "(_handle_results)",
        "(_handle_tasks)",
        "(_handle_workers)",
        "(worker)",
        "(worker)",
    ]
    assert "multiprocessing.connection.wait" in ex.diagnosis
    assert "Left behind" in ex.diagnosis


def test_a_run_cancels_the_pool_finalizers_it_registered():
    from multiprocessing import util

    kept = []

    def main():
        pool = ThreadPool(1)
        kept.append(pool)

    before = set(util._finalizer_registry)
    run_controlled_ex(main, seed=0)
    assert set(util._finalizer_registry) == before


def test_multiprocessing_simple_queue_between_threads():
    import threading

    def main():
        q = multiprocessing.SimpleQueue()
        out = []
        t = threading.Thread(target=lambda: out.append(q.get()))
        t.start()
        q.put("x")
        t.join()
        return out, q.empty()

    assert run_controlled_ex(main, seed=3).unwrap() == (["x"], True)
