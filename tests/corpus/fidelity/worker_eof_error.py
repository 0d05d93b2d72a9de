"""Workers report to an output queue; one dies of EOFError reading an empty cache, and the collector waits forever.

Class 8 (a worker dies of an exception it does not catch). One thread per
URL, bounded by a semaphore released in ``finally``. On a failure the worker
looks for a cached copy with ``pickle.load`` on an empty cache, which raises
EOFError ("Ran out of input"); the worker catches only OSError, so it dies
without putting its (index, result) pair. download_all collects exactly
``len(urls)`` pairs with ``done.get()``, so it blocks forever on the missing
one. Every other thread has ended: no thread can run again, a deadlock,
whenever at least one URL fails.

Today: right: FAIL no_deadlock "MainThread is blocked in Queue.get: queue
empty ...; no live thread can put an item" [all_fail] (4 s); threads runtime:
FlakyFailure crash by default, FAIL no_deadlock with --generated 0.
"""

import io
import pickle
import queue
import threading

NAME = "worker_eof_error"
ORIGIN = "Written for the fidelity corpus: a worker killed by EOFError from pickle.load on an empty file."
BREAKS = {
    "no_deadlock": "a failing URL's worker dies of EOFError before it reports, so download_all "
    "waits in done.get() for a result no thread will put",
}

_CACHE = b""  # nothing cached yet


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    done = queue.Queue()

    def work(i):
        try:
            try:
                result = fetch(urls[i])
            except OSError as exc:
                result = pickle.load(io.BytesIO(_CACHE)) or exc  # EOFError: dies here
            done.put((i, result))
        finally:
            slots.release()

    for i in range(len(urls)):
        slots.acquire()
        threading.Thread(target=work, args=(i,)).start()
    results = [None] * len(urls)
    for _ in urls:
        i, result = done.get()
        results[i] = result
    return results
