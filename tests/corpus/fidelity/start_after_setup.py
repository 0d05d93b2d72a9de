"""The mirror of start_then_*: every attribute and entry is ready before start().

Class 1 (Thread.start() ordering), correct code. The parent builds the
thread's state (``url`` in the constructor, the result slot in a list) before
``start()``, so nothing depends on which of parent and child runs first.

Today: right: every invariant held (2-3 s), with real threads too.
"""

import threading

NAME = "start_after_setup"
ORIGIN = "Written for the fidelity corpus: the correct twin of start_then_set_attr and start_then_init_slot."
BREAKS = {}


class Getter(threading.Thread):
    def __init__(self, url, fetch, slots, results, index):
        threading.Thread.__init__(self)
        self.url = url
        self.fetch = fetch
        self.slots = slots
        self.results = results
        self.index = index

    def run(self):
        try:
            self.results[self.index] = self.fetch(self.url)
        except OSError as exc:
            self.results[self.index] = exc
        finally:
            self.slots.release()


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)
    threads = []
    for i, url in enumerate(urls):
        slots.acquire()
        t = Getter(url, fetch, slots, results, i)
        threads.append(t)
        t.start()
    for t in threads:
        t.join()
    return results
