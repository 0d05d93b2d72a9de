"""Alfe's worker pool with end markers, exactly as posted: it cannot start.

Source: the article "Multi-threading in Python" (``seed/article.txt``),
comments 17 and 18 (the same code posted twice by Alfe, who signs comment 19),
answering comment 15's suggestion of a fixed pool of workers pulling URLs from
a queue. Ported to Python 3 on purpose *with* its defects:
``except Exception, e`` becomes ``except Exception as e``, the download is
injected (``urllib.urlopen(url).read()`` becomes ``self.fetch(url)``), and the
pool has ``limit`` workers instead of 4. Nothing else is changed.

The defects, in the order a run meets them:

1. ``super(threading.Thread, self).__init__()`` starts the method lookup
   *after* ``threading.Thread`` in the MRO, so it calls ``object.__init__`` and
   ``Thread.__init__`` never runs. ``worker.start()`` then raises
   ``RuntimeError: thread.__init__() not called``. Because ``get_files`` is a
   generator, the error surfaces when the caller starts iterating, from the
   first ``start()``: no worker ever runs, and nothing is downloaded.
2. (Never reached.) ``self.taskQueue().get(True)`` calls the queue object,
   which is a TypeError; the ``except Exception`` would put that TypeError in
   the results and loop again, for ever.
3. (Never reached.) After reporting itself finished on the end marker there
   is no ``break``: the worker goes on to download ``None``.

The fixed version is ``end_marker_pool``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from queue import Queue

__all__ = ["Worker", "download_all", "get_files"]

NAME = "end_marker_pool_as_posted"
ORIGIN = (
    "Comments 17/18 (Alfe) on the article 'Multi-threading in Python': a pool of "
    "workers fed through a task queue, one None end marker per worker; ported to "
    "Python 3 with its defects kept."
)
# What `interlock demo` shows beside the bug: the same pool with its three slips fixed.
FIXED_BY = "end_marker_pool"
BREAKS = {
    "no_crash": (
        "super(threading.Thread, self).__init__() skips Thread.__init__, so the first "
        "worker.start() raises RuntimeError('thread.__init__() not called')."
    ),
}


class Worker(threading.Thread):
    def __init__(self, taskQueue, resultQueue, fetch):
        self.taskQueue = taskQueue
        self.resultQueue = resultQueue
        self.fetch = fetch
        # DEFECT 1: super(threading.Thread, self) looks *past* Thread in the MRO
        # and finds object.__init__. Thread.__init__ is never called, and
        # start() refuses to run a thread that was not initialised.
        super(threading.Thread, self).__init__()

    def run(self):
        while True:  # until end marker found
            try:
                # DEFECT 2: the queue is called as if it were a function.
                url = self.taskQueue().get(True)
                if url is None:  # end-marker?
                    self.resultQueue.put(self)  # report being finished
                    # DEFECT 3: no break here; the worker goes on with url None.
                contents = self.fetch(url)
                self.resultQueue.put(contents)
            except Exception as e:
                self.resultQueue.put(e)


def get_files(urls, fetch, limit):
    taskQueue = Queue()
    for url in urls:
        taskQueue.put(url)
    resultQueue = Queue()
    workers = set([Worker(taskQueue, resultQueue, fetch) for i in range(limit)])
    for worker in workers:
        worker.start()  # raises RuntimeError: thread.__init__() not called
        taskQueue.put(None)  # one end marker for each worker thread
    while workers:
        result = resultQueue.get(True)
        if result in workers:
            workers.remove(result)
        else:
            yield result


def download_all(
    urls: list[str], fetch: Callable[[str], bytes], limit: int
) -> Iterator[bytes | BaseException]:
    """A generator: the RuntimeError comes out of the first ``next()``, not of this call."""
    return get_files(urls, fetch, limit)
