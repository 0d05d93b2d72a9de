"""A pool that takes a worker function and items, adapted to ``download_all``.

Source: written for interlock (not from the article) as the worked example of
the shape of ``multiprocessing.pool.ThreadPool.map`` and many home-made pools:
``run_pool(worker, items, limit)`` calls ``worker(item)`` for every item on
``limit`` threads and returns the results in order. The adapter passes a
worker that downloads one URL and keeps its exception as the result.

The pool keeps its promises: ``limit`` threads take items from a shared
iterator under a lock, each writes its result to the item's slot, and all are
joined before ``run_pool`` returns.
"""

from __future__ import annotations

import threading

__all__ = ["download_all", "run_pool"]

NAME = "worker_function_pool"
ORIGIN = (
    "Written for interlock: run_pool(worker, items, limit), a pool that takes a worker "
    "function, adapted to download_all with a worker that fetches one URL."
)
BREAKS: dict[str, str] = {}


def run_pool(worker, items, limit):
    """``[worker(item) for item in items]``, on ``limit`` threads, in order."""
    items = list(items)
    results = [None] * len(items)
    numbered = iter(enumerate(items))
    lock = threading.Lock()

    def loop():
        while True:
            with lock:
                try:
                    index, item = next(numbered)
                except StopIteration:
                    return
            results[index] = worker(item)

    threads = [threading.Thread(target=loop) for _ in range(min(limit, len(items)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def download_all(urls, fetch, limit):
    """The adapter: a worker that fetches one URL, its exception as its result."""

    def worker(url):
        try:
            return fetch(url)
        except Exception as exc:
            return exc

    return run_pool(worker, urls, limit)
