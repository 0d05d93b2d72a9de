"""The article's complete code: one FileGetter thread per URL, throttled by a Queue.

Source: the article "Multi-threading in Python" (``seed/article.txt``), its
"complete code" listing. Ported to Python 3 on purpose *with* its design
defects; only the slips its readers reported are corrected, so that it runs:

- ``self.url`` instead of ``url`` in ``run`` (comments 3 and 7);
- ``threading.Thread.__init__(self)`` first in ``__init__`` (comment 14);
- the missing closing bracket in ``args=(q, len(files)))`` (comment 6);
- ``return finished`` at the end of ``get_files`` (comment 4).

Two adaptations make it a subject: the download is injected (``urllib.urlopen
(url).read()`` becomes ``self.fetch(self.url)``), and the queue size is
``limit - 1`` where the article, aiming at 4 downloads, wrote ``Queue(3)``.

What is wrong with it, kept on purpose:

- The producer starts a thread *before* ``put()`` blocks, and the consumer
  takes a thread *out* of the queue before joining it. So at the worst moment
  there are ``limit - 1`` threads in the queue, one being joined by the
  consumer and one just started by the producer: ``limit + 1`` downloads at
  once. Comment 12 (Spookie) works this out; comment 9 saw it happen.
  At ``limit == 1`` it is worse: ``Queue(0)`` is an *unbounded* queue, so
  every download starts at once.
- A failed download is printed and its result stays ``None``: the caller
  cannot tell which URL failed or why.
- The consumer joins threads in the order they were started, so one slow
  download holds back the start of the next even when the others are done.
  The article itself admits it ("we only have three files downloading at a
  time").
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import Queue

__all__ = ["FileGetter", "download_all", "get_files"]

NAME = "article_queue"
ORIGIN = (
    "The complete code of the article 'Multi-threading in Python': a FileGetter "
    "thread per URL, throttled by Queue(limit - 1); ported to Python 3 with the "
    "readers' corrections (comments 3, 4, 6, 7, 14) and its design kept."
)
# What `interlock demo` shows beside the bug: the article's structure with a semaphore taken before each download starts.
FIXED_BY = "article_semaphore"
BREAKS = {
    "max_in_flight": (
        "The producer starts a FileGetter before put() blocks and the consumer joins one "
        "it already took out of the queue, so limit + 1 download at once (comment 12); "
        "at limit 1, Queue(0) is unbounded and everything starts together."
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
        # Comment 14: Thread.__init__ first, before anything touches self.
        threading.Thread.__init__(self)
        self.url = url
        self.fetch = fetch
        self.result = None

    def get_result(self):
        return self.result

    def run(self):
        try:
            # Was: f = urllib.urlopen(url); contents = f.read(); f.close()
            contents = self.fetch(self.url)
            self.result = contents
        except IOError:  # OSError in Python 3; the fake download raises a subclass
            # The article's error handling: say so, and leave self.result None.
            print("Could not open document: %s" % self.url)


def get_files(files, fetch, limit):
    def producer(q, files):
        for file in files:
            thread = FileGetter(file, fetch)
            # DEFECT: the download starts here, before put() below has found
            # room. While put() blocks on a full queue, this thread is already
            # downloading: that is the (limit + 1)-th download.
            thread.start()
            q.put(thread, True)

    finished = []

    def consumer(q, total_files):
        while len(finished) < total_files:
            # get() frees a queue slot *before* join(): the producer may now
            # start another download while this one is still running.
            thread = q.get(True)
            # Joining in start order: if this download is slow, finished ones
            # behind it keep their slots until it is done (head-of-line blocking).
            thread.join()
            finished.append(thread.get_result())

    # The article: "Because of this, we reduce our queue size to 3" (for 4
    # downloads). One short is not enough, and Queue(0) (limit 1) has no bound.
    q = Queue(limit - 1)
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
