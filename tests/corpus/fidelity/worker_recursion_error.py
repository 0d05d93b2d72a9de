"""End-marker pool whose error path recurses without a base case: the worker dies of RecursionError.

Class 8 (a worker dies of an exception it does not catch). ``limit`` workers
take indices from a queue until they get an end marker. A failed download
goes to ``_describe``, which walks the exception's "causes" but never stops
(each step wraps the last one), so it raises RecursionError before the
failure is stored. The worker catches only OSError (what fetch raises), so it
dies; its end marker stays in the queue; the other workers go on, and
download_all joins them all and returns normally. Precisely: every failing
URL's exception is missing (``errors_reported``); once ``limit`` failures
have killed every worker, the URLs still queued are never downloaded
(``no_lost_results`` when any of them was to succeed). Nothing hangs.

Today: right but slow: killed at 120 s; in 426 s: FAIL no_lost_results "7 of
11 successful URLs have no intact payload" [limit_1] and FAIL errors_reported
[all_fail]; threads runtime: the same with --generated 0, FlakyFailure crash
by default.
"""

import queue
import threading

NAME = "worker_recursion_error"
ORIGIN = "Written for the fidelity corpus: a worker killed by RecursionError in its error handling."
BREAKS = {
    "errors_reported": "a failed URL's worker dies of RecursionError in _describe before it "
    "stores the exception, so the result is None",
    "no_lost_results": "after `limit` failures no worker is left, so the remaining URLs are never "
    "downloaded (when any of them succeeds)",
}


def _describe(exc, depth=0):
    return _describe(RuntimeError(exc), depth + 1)  # no base case


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = [None] * len(urls)

    def worker():
        while True:
            i = todo.get()
            if i is None:
                return
            try:
                results[i] = fetch(urls[i])
            except OSError as exc:
                _describe(exc)  # RecursionError: the worker dies here
                results[i] = exc

    for i in range(len(urls)):
        todo.put(i)
    workers = [threading.Thread(target=worker) for _ in range(limit)]
    for w in workers:
        todo.put(None)
        w.start()
    for w in workers:
        w.join()
    return results
