"""Each worker thread tags its download with a ContextVar and checks it starts empty.

Class 2 (contextvars). ``download_all`` sets ``CURRENT`` in the calling thread
and every worker sets it to its own URL. On CPython (3.7 to 3.13) a new
``threading.Thread`` runs in a fresh, empty context: it inherits nothing from
its parent, from earlier threads, or from earlier calls. So
``CURRENT.get(None) is None`` at the top of every worker, and the subject
returns its results only when that held everywhere (otherwise it raises
ContextLeak). Correct code.

Today: false FAIL no_crash "download_all raised ContextLeak: 1 threads started
with a context value, first ('u0', 'u0')" [single] (4-7 s); threads runtime:
held.
"""

import contextvars
import threading

NAME = "contextvar_fresh_thread"
ORIGIN = "Written for the fidelity corpus: a per-thread ContextVar that must start empty in every new thread."
BREAKS = {}

CURRENT = contextvars.ContextVar("current_url")


class ContextLeak(AssertionError):
    pass


def download_all(urls, fetch, limit):
    CURRENT.set("download_all")  # must not leak into the workers
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)
    leaks = []

    def work(i):
        try:
            seen = CURRENT.get(None)
            if seen is not None:
                leaks.append((urls[i], seen))
            CURRENT.set(urls[i])
            try:
                results[i] = fetch(urls[i])
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
    if leaks:
        raise ContextLeak(f"{len(leaks)} threads started with a context value, first {leaks[0]}")
    return results
