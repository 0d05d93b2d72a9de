"""Christopher Arndt's ``threadpool``: WorkRequests, callbacks, ``wait()``, dismiss and join.

Class 9 (a PyPI pool, used correctly) and class 1 (timers always pending).
``threadpool.ThreadPool(limit)`` starts ``limit`` daemon workers that poll the
request queue with ``get(True, 5)`` and check a dismissed flag on every
timeout. Each URL is a ``WorkRequest`` with its index as request ID; the
callbacks, which ``wait()`` runs in the caller's thread, store the result or
the exception (``exc_info[1]``). ``dismissWorkers(limit, do_join=True)`` then
stops and joins every worker (each notices within its 5 s poll). Correct with
real threads.

Today (frozen copy, measured): false `max_in_flight` FAIL [tiny]: "5 downloads
in flight at t=40.000s (u0 u1 u2 u3 u4); limit is 4" (its workers' bare
except: catches the stop), false `terminates` FAIL [empty] and false
`no_crash` FAIL [single]: "release unlocked lock"; 6.1 s. Threads runtime
(tiny): false `terminates` (dismissing waits out the 5 s poll).
"""

import threadpool

NAME = "threadpool_requests"
ORIGIN = "threadpool 1.3.2 (PyPI) ThreadPool(limit) with one WorkRequest per URL, wait(), dismissWorkers(do_join=True)."
BREAKS = {}


def download_all(urls, fetch, limit):
    results = [None] * len(urls)

    def done(request, result):
        results[request.requestID] = result

    def failed(request, exc_info):
        results[request.requestID] = exc_info[1]

    pool = threadpool.ThreadPool(limit)
    for i, url in enumerate(urls):
        pool.putRequest(
            threadpool.WorkRequest(fetch, [url], requestID=i, callback=done, exc_callback=failed)
        )
    pool.wait()
    pool.dismissWorkers(limit, do_join=True)
    return results
