"""Threads wait for a free slot on a ``threading.Condition()`` made at import.

Class 4 (locks made at import). ``_SLOTS`` is a module-level Condition, so its
lock is an RLock created at import time: CPython's C RLock, which records its
owner by OS thread. A thread waits in ``_SLOTS.wait_for`` until fewer than
``limit`` downloads are in flight, claims a slot, downloads, then gives the
slot back and ``notify()``s. Correct code: the Condition makes check-and-claim
atomic and wakes a waiter whenever a slot frees up.

Today: verify hangs for ever (the C RLock made at import blocks the one OS
thread in Condition.wait's _acquire_restore), killed at 120 s; threads
runtime: held.
"""

import threading

NAME = "import_condition_slots"
ORIGIN = "Written for the fidelity corpus: a module-level Condition (C RLock made at import) guarding slots."
BREAKS = {}

_SLOTS = threading.Condition()
_state = {"in_flight": 0}


def download_all(urls, fetch, limit):
    results = [None] * len(urls)

    def work(i):
        with _SLOTS:
            _SLOTS.wait_for(lambda: _state["in_flight"] < limit)
            _state["in_flight"] += 1
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        finally:
            with _SLOTS:
                _state["in_flight"] -= 1
                _SLOTS.notify()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
