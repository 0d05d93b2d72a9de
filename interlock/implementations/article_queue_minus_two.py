"""The article's code with the obvious off-by-one fix: ``Queue(limit - 2)``.

Source: the article "Multi-threading in Python" (``seed/article.txt``), its
"complete code" listing, ported to Python 3 with the readers' corrections
exactly as in ``article_queue`` (``self.url`` per comments 3 and 7,
``Thread.__init__`` first per comment 14, the closing bracket per comment 6,
``return finished`` per comment 4), the download injected as ``fetch``.

The one change is the fix a reader of comment 12 (Spookie) would make first:
the article allows one download too many, so shrink the queue by one more.
With ``Queue(k)`` the most threads started and not yet joined is ``k`` in the
queue, plus the one the consumer is joining, plus the one the producer started
before its ``put()`` blocked: ``k + 2``. So ``Queue(limit - 2)`` is exactly
right... for ``limit >= 3``. At ``limit == 2`` it is ``Queue(0)`` and at
``limit == 1`` it is ``Queue(-1)``, and a Queue whose maxsize is ``<= 0`` has no
bound at all: every download starts at once. The fix is kept as it would be
written, defect included, together with the article's other two defects
(failures become ``None``; head-of-line blocking through in-order joins).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import Queue

__all__ = ["FileGetter", "download_all", "get_files"]

NAME = "article_queue_minus_two"
ORIGIN = (
    "The article's complete code (see article_queue) with the off-by-one fix a reader "
    "of comment 12 would make: Queue(limit - 2) instead of Queue(limit - 1)."
)
# What `interlock demo` shows beside the bug: the article's structure with a semaphore taken before each download starts.
FIXED_BY = "article_semaphore"
BREAKS = {
    "max_in_flight": (
        "Only for limit <= 2: Queue(0) and Queue(-1) are unbounded queues, so the producer "
        "never blocks and every download starts at once."
    ),
    "errors_reported": (
        "run() catches IOError, prints 'Could not open document' and leaves the result "
        "None, so a failure comes back as None instead of its exception."
    ),
    "work_conserving": (
        "The consumer joins threads in start order, so a slow download at the head of "
        "the queue keeps new downloads from starting after the ones behind it finished."
    ),
}


class FileGetter(threading.Thread):
    """One thread, one download; the payload is kept in ``self.result``."""

    def __init__(self, url, fetch):
        threading.Thread.__init__(self)  # comment 14: first
        self.url = url
        self.fetch = fetch
        self.result = None

    def get_result(self):
        return self.result

    def run(self):
        try:
            contents = self.fetch(self.url)
            self.result = contents
        except IOError:  # OSError in Python 3
            # Still the article's error handling: the failure is only printed.
            print("Could not open document: %s" % self.url)


def get_files(files, fetch, limit):
    def producer(q, files):
        for file in files:
            thread = FileGetter(file, fetch)
            thread.start()  # still starts before put() finds room: counted in "+ 2"
            q.put(thread, True)

    finished = []

    def consumer(q, total_files):
        while len(finished) < total_files:
            thread = q.get(True)
            thread.join()  # still in start order: head-of-line blocking
            finished.append(thread.get_result())

    # THE FIX, AND ITS DEFECT: k + 2 threads at most with Queue(k), so k = limit - 2.
    # But queue.Queue treats maxsize <= 0 as "no limit": at limit 1 or 2 the
    # producer never blocks and starts every download immediately.
    q = Queue(limit - 2)
    prod_thread = threading.Thread(target=producer, args=(q, files))
    cons_thread = threading.Thread(target=consumer, args=(q, len(files)))
    prod_thread.start()
    cons_thread.start()
    prod_thread.join()
    cons_thread.join()
    return finished


def download_all(urls: list[str], fetch: Callable[[str], bytes], limit: int) -> list[bytes | None]:
    """The subject contract: results in URL order, ``None`` for each failure."""
    return get_files(urls, fetch, limit)
