"""One thread per URL whose parent sets ``t.url`` only after ``t.start()``.

Class 1 (Thread.start() ordering). ``Getter.run`` reads ``self.url`` at once;
the parent assigns it on the line after ``start()``. On CPython the child
usually runs first: ``start()`` waits for the child's ``_started`` event, the
child sets it and keeps the GIL, so ``run`` reaches ``self.url`` before the
parent's next line (2000 of 2000 starts in a plain run on this machine, 3.11).
The child dies of AttributeError, never sets ``self.result``, and the parent's
``t.result`` after ``join()`` raises AttributeError out of download_all.

Today: right: FAIL no_crash "download_all raised AttributeError: 'Getter'
object has no attribute 'result'" [single] (4-6 s); --runtime threads crashes
with FlakyFailure unless --generated 60.
"""

import threading

NAME = "start_then_set_attr"
ORIGIN = (
    "Written for the fidelity corpus: the article's FileGetter with its url assigned after start()."
)
BREAKS = {
    "no_crash": "the child runs before the parent's `t.url = url`, dies of AttributeError, "
    "and download_all's `t.result` raises AttributeError (on CPython 3.11 nearly always)",
}


class Getter(threading.Thread):
    def __init__(self, fetch, slots):
        threading.Thread.__init__(self)
        self.fetch = fetch
        self.slots = slots

    def run(self):
        try:
            self.result = self.fetch(self.url)
        except OSError as exc:
            self.result = exc
        finally:
            self.slots.release()


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    threads = []
    for url in urls:
        slots.acquire()
        t = Getter(fetch, slots)
        t.start()
        t.url = url  # too late: run() may already have read it
        threads.append(t)
    for t in threads:
        t.join()
    return [t.result for t in threads]
