"""pebble's ``ThreadPool``: ``schedule`` one task per URL, leave the ``with`` block.

Class 9 (a PyPI pool, used correctly) and class 1 (timers always pending).
``pebble.ThreadPool(max_workers=limit)`` runs ``limit`` worker threads plus a
pool-manager thread that loops ``while alive: ...; time.sleep(0.1)``. Each
task's outcome goes to a ``concurrent.futures.Future`` (pebble's ``execute``
catches BaseException). Leaving the ``with`` block calls ``close()`` and
``join()``, which polls the task queue every 0.1 s until it drains, then stops
and joins the manager and the workers. Correct with real threads.

Today (frozen copy, measured): false `max_in_flight` FAIL [limit_1]: "11
downloads in flight at t=71.900s (u1 ... u10 ... (+1 more)); limit is 1" and
false `terminates` FAIL [single] "... MainThread: time.sleep: until t=12.100s
at base_pool.py:96 in _wait_queue_depletion"; 16.9 s. Threads runtime (tiny):
all pass.
"""

from pebble import ThreadPool

NAME = "pebble_thread_pool"
ORIGIN = "pebble 5.2.3 (PyPI) ThreadPool(max_workers=limit), schedule() per URL, with-block close and join."
BREAKS = {}


def download_all(urls, fetch, limit):
    with ThreadPool(max_workers=limit) as pool:
        futures = [pool.schedule(fetch, args=(url,)) for url in urls]
    results = []
    for f in futures:
        exc = f.exception()
        results.append(exc if exc is not None else f.result())
    return results
