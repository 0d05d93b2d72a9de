"""Download records clean themselves up in ``__del__``, which takes a lock.

Class 6 (state left behind after a run). Each download is wrapped in a
``_Ticket`` that registers itself in a shared set under a lock and, in
``__del__``, takes that lock again to unregister. A ticket keeps a reference
to itself (``self.me = self``), so it is freed not when the worker drops it
but when the cyclic garbage collector next runs: at some arbitrary later
moment, in whatever thread happens to be running, possibly after
download_all has returned. The lock is a ``threading.RLock`` made per call and
held only for a set operation: if the collector runs ``__del__`` in a thread
that already holds it, the RLock lets it in, and other threads only wait a
moment, so ``__del__`` cannot deadlock on a real machine. Correct code.

Today: right: every invariant held (5-6 s), with real threads too.
"""

import threading

NAME = "del_takes_lock"
ORIGIN = (
    "Written for the fidelity corpus: a finalizer that takes a lock, run by the garbage collector."
)
BREAKS = {}


class _Ticket:
    def __init__(self, url, lock, registry):
        self.url, self.lock, self.registry = url, lock, registry
        self.me = self  # a reference cycle: only the cyclic GC frees it
        with lock:
            registry.add(url)

    def __del__(self):
        with self.lock:
            self.registry.discard(self.url)


def download_all(urls, fetch, limit):
    lock = threading.RLock()
    registry = set()
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)

    def work(i):
        try:
            ticket = _Ticket(urls[i], lock, registry)
            try:
                results[i] = fetch(ticket.url)
            except OSError as exc:
                results[i] = exc
        finally:
            slots.release()

    threads = []
    for i in range(len(urls)):
        slots.acquire()
        threads.append(threading.Thread(target=work, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join()
    return results
