"""Joel's generic worker pool: check ``empty()``, then ``get()``.

Source: the article "Multi-threading in Python" (``seed/article.txt``),
comment 21 (Joel; the reply below it thanks him by name): "The number of
concurrent threads is constant, and each thread will continue to pull data
from the queue until it is empty." Ported to Python 3 on purpose *with* its
defects. Only two things are changed so that it runs at all: ``xrange``
becomes ``range``, and the global-name slip ``in_queue.get()`` becomes
``self.in_queue.get()`` (as posted, ``in_queue`` is not defined in ``run``).
It is mapped onto the subject contract as ``function = fetch``,
``data = [(url,) for url in urls]`` and ``num_workers = limit``.

Its two defects, kept on purpose:

1. Check-then-act race. ``empty()`` and ``get()`` are two separate steps.
   When one item is left, two workers can both see "not empty"; one gets the
   item and the other blocks in ``get()`` for ever. ``in_queue.join()`` still
   returns (every item was processed), so the caller gets every result, but a
   non-daemon worker is left blocked: the process can never exit. The window
   is a few bytecodes wide, so real threads seldom hit it; a controlled
   scheduler finds it at once.
2. A failure skips ``task_done()``. When ``self.function(*data)`` raises, the
   exception leaves ``run()`` and kills the worker before it calls
   ``task_done()``. That item is never marked done, so ``in_queue.join()``
   in ``process`` waits for ever: one failed download hangs the whole call.
   (The failure never reaches the results either, but no caller gets that
   far: the call does not return.) Until then the dead worker is not
   replaced, so the remaining URLs are downloaded by fewer than ``limit``
   workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Queue

__all__ = ["Worker", "download_all", "process"]

NAME = "empty_check_pool"
ORIGIN = (
    "Comment 21 (Joel) on the article 'Multi-threading in Python': a fixed pool of "
    "workers that loop 'if in_queue.empty(): break' then 'in_queue.get()'; ported to "
    "Python 3 with its defects kept."
)
# What `interlock demo` shows beside the bug: a pool of the same thread that stops its workers with end markers instead of checking empty().
FIXED_BY = "end_marker_pool"
BREAKS = {
    "clean_shutdown": (
        "Two workers can both see the queue non-empty with one item left; the one that "
        "loses the race blocks in get() for ever, so the process cannot exit."
    ),
    "no_deadlock": (
        "A failed download raises out of run() before task_done(), so in_queue.join() "
        "never returns and the caller waits for ever. The exception also kills the "
        "worker, but download_all itself raises nothing, so no_crash holds."
    ),
}
# The race of defect 1 needs a thread switch between empty() and get().
RARE_WITH_THREADS = {"clean_shutdown"}


class Worker(threading.Thread):
    def __init__(self, function, in_queue, out_queue):
        self.function = function
        self.in_queue, self.out_queue = in_queue, out_queue
        super(Worker, self).__init__()

    def run(self):
        while True:
            # DEFECT 1: check, then act. Between this empty() and the get()
            # below, another worker may take the last item; this worker then
            # blocks in get() for ever.
            if self.in_queue.empty():
                break
            data = self.in_queue.get()  # was in_queue.get(): a NameError as posted
            # DEFECT 2: nothing catches a failure here. The exception ends this
            # thread and task_done() below is never called for this item.
            result = self.function(*data)
            self.out_queue.put(result)
            self.in_queue.task_done()


def process(data, function, num_workers=1):
    in_queue = Queue()
    for item in data:
        in_queue.put(item)
    out_queue = Queue(maxsize=in_queue.qsize())
    workers = [Worker(function, in_queue, out_queue) for i in range(num_workers)]
    for worker in workers:
        worker.start()
    # Waits until every item has been marked done: for ever, if a worker died
    # before its task_done(). The workers themselves are never joined.
    in_queue.join()
    while not out_queue.empty():
        yield out_queue.get()


def download_all(urls: list[str], fetch: Callable[[str], bytes], limit: int) -> Iterator[bytes]:
    """A generator of payloads in completion order (it never gets to return a failure)."""
    return process([(url,) for url in urls], fetch, num_workers=limit)
