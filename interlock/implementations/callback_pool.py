"""A callback API adapted to ``download_all``: ``start(...)`` reports each result and
the end through callbacks; the adapter waits for the end.

Source: written for interlock (not from the article) as the worked example of a
pattern whose shape is not ``download_all``: many libraries hand results to a
callback (``on_result(index, item)``) and signal completion with another
(``on_done()``). The adapter is the last function: a Condition that the
callbacks fill and ``download_all`` waits on, in a few lines.

The pool keeps its promises: ``limit`` worker threads take URL indices from a
queue, each result (payload or exception) goes to ``on_result``, and the last
worker to finish calls ``on_done`` after joining nobody; ``download_all``
returns once ``on_done`` was called, when every worker has finished its work.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

__all__ = ["download_all", "start"]

NAME = "callback_pool"
ORIGIN = (
    "Written for interlock: a pool with a callback API (on_result, on_done), adapted to "
    "download_all by waiting on a Condition the callbacks fill."
)
BREAKS: dict[str, str] = {}


def start(urls, fetch, limit, on_result: Callable, on_done: Callable) -> list[threading.Thread]:
    """Download ``urls`` on ``limit`` threads; report each result, then the end."""
    todo: queue.Queue = queue.Queue()
    for index in range(len(urls)):
        todo.put(index)
    left = [min(limit, len(urls))]
    lock = threading.Lock()

    def worker():
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                break
            try:
                item = fetch(urls[index])
            except Exception as exc:  # the exception is the result
                item = exc
            on_result(index, item)
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            on_done()

    threads = [threading.Thread(target=worker) for _ in range(left[0])]
    for t in threads:
        t.start()
    if not threads:
        on_done()
    return threads


def download_all(urls, fetch, limit):
    """The adapter: collect what the callbacks report, return when the end is reported."""
    results = [None] * len(urls)
    done = threading.Condition()
    finished = []

    def on_result(index, item):
        results[index] = item

    def on_done():
        with done:
            finished.append(True)
            done.notify_all()

    threads = start(urls, fetch, limit, on_result, on_done)
    with done:
        done.wait_for(lambda: finished)
    for t in threads:  # each has reported; joining leaves no thread behind
        t.join()
    return results
