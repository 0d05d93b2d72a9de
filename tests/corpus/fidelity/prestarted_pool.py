"""A worker pool started before its queue is filled, with one end marker per worker.

Class 6 (state a subject changes): the victim. ``limit`` workers are started
first and block in ``Queue.get()``; then the URLs and the end markers go in;
each worker puts (index, result) pairs into its own slot of a list. Correct
code on its own. Run in a process where ``threading.Thread.start`` has been
made to join the thread (``patches_thread_start``), its first ``start()``
never returns: the worker waits for a URL that only the starter can put.

Today: right alone: held (5-7 s); after patches_thread_start in the same
verify command: false FAIL no_deadlock "MainThread waits in Thread.join for
Thread-1 (worker) at patches_thread_start.py:32 in start".
"""

import queue
import threading

NAME = "prestarted_pool"
ORIGIN = "Written for the fidelity corpus: a correct pool whose workers must run while the starter goes on."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = [None] * len(urls)

    def worker():
        while True:
            item = todo.get()
            if item is None:
                return
            try:
                results[item] = fetch(urls[item])
            except OSError as exc:
                results[item] = exc

    workers = [threading.Thread(target=worker) for _ in range(limit)]
    for w in workers:
        w.start()
    for i in range(len(urls)):
        todo.put(i)
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    return results
