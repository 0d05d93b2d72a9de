"""``Queue.join`` pool whose ``task_done()`` is skipped when a worker dies of MemoryError.

Class 8 (a worker dies of an exception it does not catch). Workers loop on
``todo.get()`` until an end marker; after a failed download a worker "allocates a retry
buffer" and gets MemoryError (raised explicitly here, as an allocation of an
absurd size would). It catches only OSError, so it dies before
``task_done()``. download_all waits in ``todo.join()``, which now never
returns: the unfinished count cannot reach zero, and the end markers it
would put after ``join()`` never go in. The live workers are blocked in
``get()`` on an empty queue, so no thread can ever run again: a deadlock,
whenever at least one URL fails.

Today: right: FAIL no_deadlock "MainThread is blocked in Queue.join: 6
unfinished task(s) ... no live thread can call task_done" [all_fail] (4 s);
threads runtime: FlakyFailure crash by default, FAIL no_deadlock with
--generated 0.
"""

import queue
import threading

NAME = "worker_memory_error"
ORIGIN = "Written for the fidelity corpus: a worker killed by MemoryError before task_done()."
BREAKS = {
    "no_deadlock": "a worker dies of MemoryError before task_done(), so todo.join() never "
    "returns while the other workers wait in get(): no thread can run again",
}


def _retry_buffer(size):
    raise MemoryError(f"cannot allocate {size} bytes")


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
                _retry_buffer(1 << 40)  # dies here
                results[i] = exc
            todo.task_done()  # not in a finally: skipped when the worker dies

    workers = [threading.Thread(target=worker) for _ in range(limit)]
    for w in workers:
        w.start()
    for i in range(len(urls)):
        todo.put(i)
    todo.join()  # never returns once a worker has died
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    return results
