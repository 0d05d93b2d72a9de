"""A generator of results adapted to ``download_all``: ``as_completed_map(fn, items,
limit)`` yields each call's result as soon as it finishes.

Source: written for interlock (not from the article) as the worked example of a
pattern shaped like a generator, as ``ThreadPool.imap_unordered`` and many
home-made pools are: nothing runs until the caller asks for the first result,
and results come in the order the calls finish, not the order of the items.
The adapter is ``download_all``: a function that fetches one URL and keeps its
exception as its result, and a list of what the generator yields.

The pool keeps its promises: ``limit`` threads take items from a queue and put
each result on another; the generator yields one result per item, then joins
the threads, so none is left running once the last result has been read.
"""

from __future__ import annotations

import queue
import threading

__all__ = ["as_completed_map", "download_all"]

NAME = "generator_pool"
ORIGIN = (
    "Written for interlock: as_completed_map(fn, items, limit), a generator that yields "
    "each result as its call finishes, adapted to download_all by listing what it yields."
)
BREAKS: dict[str, str] = {}


def as_completed_map(fn, items, limit):
    """Yield ``fn(item)`` for every item, as each call finishes, from ``limit`` threads.

    ``fn`` must not raise (a worker that dies would leave its result missing): wrap it.
    """
    items = list(items)
    todo: queue.Queue = queue.Queue()
    for item in items:
        todo.put(item)
    done: queue.Queue = queue.Queue()

    def work():
        while True:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            done.put(fn(item))

    threads = [threading.Thread(target=work) for _ in range(min(limit, len(items)))]
    for t in threads:
        t.start()
    try:
        for _ in items:
            yield done.get()
    finally:  # also when the caller stops early: the workers end once the queue is empty
        for t in threads:
            t.join()


def download_all(urls, fetch, limit):
    """The adapter: fetch one URL, its exception as its result; list what comes back."""

    def fetch_or_error(url):
        try:
            return fetch(url)
        except Exception as exc:
            return exc

    return list(as_completed_map(fetch_or_error, urls, limit))
