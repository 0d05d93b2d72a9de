"""A class with ``submit``/``close`` adapted to ``download_all``.

Source: written for interlock (not from the article) as the worked example of a
pool shaped like a class: ``Pool(limit)``, ``pool.submit(fn, *args)`` returning a
handle whose ``result()`` waits, and ``pool.close()`` that ends the workers once
the work is done. The adapter is ``download_all``: submit a fetch per URL,
close, and read each handle, in a few lines.

The pool keeps its promises: ``limit`` worker threads take jobs from a queue;
a job's exception is kept in its handle; ``close`` puts one end marker per
worker and joins them, so nothing is left running.
"""

from __future__ import annotations

import queue
import threading

__all__ = ["Handle", "Pool", "download_all"]

NAME = "submit_close_pool"
ORIGIN = (
    "Written for interlock: a Pool class with submit(fn, *args) -> handle and close(), "
    "adapted to download_all by submitting one fetch per URL."
)
BREAKS: dict[str, str] = {}

_END = object()


class Handle:
    """A job's outcome, once it is done: ``result()`` waits for it."""

    def __init__(self):
        self._done = threading.Event()
        self._value = None

    def _set(self, value):
        self._value = value
        self._done.set()

    def result(self):
        self._done.wait()
        return self._value


class Pool:
    def __init__(self, limit: int):
        self._jobs: queue.Queue = queue.Queue()
        self._workers = [threading.Thread(target=self._work) for _ in range(limit)]
        for worker in self._workers:
            worker.start()

    def _work(self):
        while True:
            job = self._jobs.get()
            if job is _END:
                return
            handle, fn, args = job
            try:
                value = fn(*args)
            except Exception as exc:  # the exception is the job's result
                value = exc
            handle._set(value)

    def submit(self, fn, *args) -> Handle:
        handle = Handle()
        self._jobs.put((handle, fn, args))
        return handle

    def close(self):
        """No more jobs: every worker ends once the queue is empty."""
        for _ in self._workers:
            self._jobs.put(_END)
        for worker in self._workers:
            worker.join()


def download_all(urls, fetch, limit):
    """The adapter: one job per URL, then close, then each handle's result in order."""
    pool = Pool(limit)
    handles = [pool.submit(fetch, url) for url in urls]
    pool.close()
    return [h.result() for h in handles]
