"""bounded-pool-executor's ``BoundedThreadPoolExecutor``: ``submit`` blocks when full.

Class 9 (a PyPI pool, used correctly). The package subclasses the standard
``ThreadPoolExecutor`` and adds a BoundedSemaphore of ``max_workers``:
``submit`` acquires it, and a done-callback on each future releases it, so at
most ``limit`` calls are queued or running and the caller waits in
``submit`` instead of queueing everything. One future per URL; leaving the
``with`` block joins the workers. Correct with real threads.

Today (frozen copy, measured): every invariant holds (4107 runs, 4.2 s);
threads runtime (tiny): all pass.
"""

from bounded_pool_executor import BoundedThreadPoolExecutor

NAME = "bounded_executor_pool"
ORIGIN = "bounded-pool-executor 0.0.3 (PyPI) BoundedThreadPoolExecutor(max_workers=limit), one future per URL."
BREAKS = {}


def download_all(urls, fetch, limit):
    with BoundedThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        results = []
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results
