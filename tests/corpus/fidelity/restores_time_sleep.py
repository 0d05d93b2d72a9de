"""A subject that "undoes any patching" of ``time.sleep`` by putting back the copy it took at import.

Class 6 (state a subject changes in ``time``). Some test helpers and
libraries save ``time.sleep`` when imported and restore it later, to undo a
fake clock. This subject does it at the start of every call:
``time.sleep = _SAVED_SLEEP``. On a real machine that assignment changes
nothing (it is the same function), and the rest is an ordinary
BoundedSemaphore pool, so it is correct. Under a runtime that swapped
``time.sleep`` for a virtual one, it puts the real sleep back mid-run, for
this subject and whatever runs after it in the same patched session.

Today: killed at 120 s (downloads sleep for real); --scenario tiny --runs 1:
false FAIL terminates "infinite loop: MainThread at restores_time_sleep.py:45
in download_all ran without reaching a scheduling point"; threads runtime:
held.
"""

import threading
import time

NAME = "restores_time_sleep"
ORIGIN = "Written for the fidelity corpus: a subject that reassigns time.sleep to the copy saved at import."
BREAKS = {}

_SAVED_SLEEP = time.sleep


def download_all(urls, fetch, limit):
    time.sleep = _SAVED_SLEEP  # "restore" the real sleep
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)

    def work(i):
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
    return results
