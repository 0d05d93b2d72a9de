"""futurist's ``ThreadPoolExecutor``: idle workers poll ``get(True, 1)``.

Class 9 (a PyPI pool, used correctly) and class 1 (timers always pending).
OpenStack's ``futurist.ThreadPoolExecutor(max_workers=limit)`` starts up to
``limit`` daemon workers, each waiting for work with ``queue.get(True, 1)``
and checking, on every timeout, whether it should stop. One future per URL;
``shutdown(wait=True)`` waits for the queue to drain (``Queue.join``), tells
the workers to stop and joins them (each notices within 1 s). Its work items
catch BaseException and store it on the future. Correct with real threads.

Today (frozen copy, measured): false `terminates` FAIL [single] and false
`no_crash` FAIL [single]: "download_all raised RuntimeError: release unlocked
lock"; 6.2 s. Threads runtime (tiny): false `terminates` (the 1 s idle poll
outlasts the 0.5 s real budget floor).
"""

import futurist

NAME = "futurist_thread_pool"
ORIGIN = "futurist 3.5.0 (PyPI, OpenStack) ThreadPoolExecutor(max_workers=limit), one future per URL, shutdown(wait=True)."
BREAKS = {}


def download_all(urls, fetch, limit):
    executor = futurist.ThreadPoolExecutor(max_workers=limit)
    try:
        futures = [executor.submit(fetch, url) for url in urls]
        results = []
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    finally:
        executor.shutdown(wait=True)
    return results
