"""A "deterministic debug mode": ``threading.Thread.start`` is patched to run each thread to completion.

Class 6 (state a subject changes in ``threading``). On first call the subject
replaces ``threading.Thread.start`` with a wrapper that starts the thread and
then joins it, and never puts it back (a common trick to make logs readable).
For this subject that is harmless: one thread per URL, each fully done
before the next starts, so one download at a time (well within the limit;
``work_conserving`` may warn). But the patch outlives the call: any later
code in the same process whose threads must run side by side (a worker pool
started before its queue is filled, as in ``prestarted_pool``) now hangs in
its first ``start()``. Correct for its own invariants.

Today: right on its own: held, warn work_conserving (true: serial); but it
leaks into the next target: prestarted_pool then gets a false FAIL no_deadlock
naming patches_thread_start.py:32 (not with --jobs 2).
"""

import threading

NAME = "patches_thread_start"
ORIGIN = "Written for the fidelity corpus: a subject that monkeypatches threading.Thread.start and leaves it."
BREAKS = {}


def _install():
    if getattr(threading.Thread.start, "_serialising", False):
        return
    original = threading.Thread.start

    def start(self):
        original(self)
        self.join()

    start._serialising = True
    threading.Thread.start = start


def download_all(urls, fetch, limit):
    _install()
    results = [None] * len(urls)

    def work(i):
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc

    for i in range(len(urls)):
        threading.Thread(target=work, args=(i,)).start()  # returns when the thread is done
    return results
