"""A ThreadPoolExecutor whose caller polls ``futures.wait(..., timeout=0.1)`` for progress.

Class 7 (work items that catch BaseException) and class 1 (a timer pending).
The downloads are ``concurrent.futures`` work items: the executor's
``_WorkItem.run`` catches BaseException from fetch and stores it on the
future. download_all waits in slices of 0.1 s (where a real program would
print a progress bar), then collects results in URL order; leaving the
``with`` block joins the workers. Correct with real threads; if something
raises into a worker to stop it, the work item stores that on its future
and the worker takes the next one.

Today (frozen copy, measured): false `max_in_flight` FAIL [limit_1]: "2
downloads in flight at t=71.900s (u10 u11); limit is 1" (work items that
caught the stop kept fetching) and false `terminates` FAIL [single]; 11.8 s.
Threads runtime (tiny): all pass.
"""

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

NAME = "executor_wait_polling"
ORIGIN = "Written for the trust corpus: ThreadPoolExecutor(limit) with a wait(timeout=0.1) progress loop."
BREAKS = {}


def download_all(urls, fetch, limit):
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        pending = set(futures)
        while pending:
            _, pending = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
        results = []
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results
