"""The in-flight count is guarded by a ``threading.Lock()`` made when the module is imported.

Class 4 (locks made at import). One thread per URL. Before downloading, a
thread takes ``_LOCK`` and, in the same critical section, checks the count
and claims a slot; if none is free it sleeps a millisecond and tries again.
After downloading it gives the slot back under the same lock. Check and claim
are one atomic step, so never more than ``limit`` are in flight. The lock is
module-level, so it exists before any scheduler could replace ``threading``'s
names. Correct code (polling, so not the most efficient).

Today: killed at 120 s with no output; --generated 0: false FAIL terminates
"did not finish within its budget of 72.000s virtual time: reached t=72.000s
with 4 of 12 downloads ended" [limit_1]; threads runtime: held.
"""

import threading
import time

NAME = "import_lock_counter"
ORIGIN = "Written for the fidelity corpus: a module-level Lock guarding an in-flight counter."
BREAKS = {}

_LOCK = threading.Lock()
_in_flight = 0


def _claim(limit):
    global _in_flight
    while True:
        with _LOCK:
            if _in_flight < limit:
                _in_flight += 1
                return
        time.sleep(0.001)


def _release():
    global _in_flight
    with _LOCK:
        _in_flight -= 1


def download_all(urls, fetch, limit):
    results = [None] * len(urls)

    def work(i):
        _claim(limit)
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        finally:
            _release()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
