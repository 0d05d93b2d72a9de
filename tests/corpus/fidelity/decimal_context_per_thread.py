"""Workers change ``decimal``'s precision; each new thread must see the default, 28.

Class 2 (contextvars). ``decimal.getcontext()`` lives in a ContextVar since
Python 3.7, so it is per thread: a new thread gets a fresh default context
(precision 28), whatever other threads, or earlier runs, did to theirs. Each
worker checks that, then sets its own precision and rounds a size with it.
The subject returns its results only if every worker saw precision 28.
Correct code.

Today: false FAIL no_crash "download_all raised AssertionError: 1 threads did
not start at precision 28: [('u0', 2)]" [single] (4-7 s); threads runtime:
held.
"""

import decimal
import threading

NAME = "decimal_context_per_thread"
ORIGIN = "Written for the fidelity corpus: decimal's thread-local (ContextVar) precision."
BREAKS = {}


def download_all(urls, fetch, limit):
    decimal.getcontext().prec = 3  # the caller's own context: no worker may see it
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)
    wrong = []

    def work(i):
        try:
            ctx = decimal.getcontext()
            if ctx.prec != 28:
                wrong.append((urls[i], ctx.prec))
            ctx.prec = 2 + i % 5
            try:
                results[i] = fetch(urls[i])
                +decimal.Decimal(len(results[i])) / 7  # uses this thread's precision
            except OSError as exc:
                results[i] = exc
        finally:
            slots.release()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        slots.acquire()
        t.start()
    for t in threads:
        t.join()
    if wrong:
        raise AssertionError(f"{len(wrong)} threads did not start at precision 28: {wrong[:3]}")
    return results
