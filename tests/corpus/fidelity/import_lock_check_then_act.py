"""Check-then-act: the slot check and the claim are two separate sections of an import-time lock.

Class 4 (locks made at import), a real race. Each thread asks ``_has_room``
(under ``_LOCK``), then, in a second critical section, claims the slot. Between
the two it looks for a cached copy on disk (``os.path.exists``: a system call,
which releases the GIL), so on real threads another poller often runs its own
check in the window, sees the same free slot, and both claim it. Measured in
plain runs (40 URLs, limit 4): 6 to 13 downloads in flight, every time. Neither
the lock (made at import) nor the system call is a scheduling point for a
scheduler that models only the primitives it patched.

Today: killed at 120 s; --generated 0: max_in_flight missed (held) and false
FAIL terminates "livelock: 200001 scheduling decisions without finishing"
[limit_1]; threads runtime: FAIL max_in_flight "2 downloads in flight ...;
limit is 1" (or a FlakyFailure crash).
"""

import os
import tempfile
import threading
import time

NAME = "import_lock_check_then_act"
ORIGIN = "Written for the fidelity corpus: a check-then-act race whose check and act each hold a module-level lock."
BREAKS = {
    "max_in_flight": "two threads can both pass `_has_room` before either claims, so limit + 1 "
    "(or more) downloads start; real threads show it under contention",
}

_LOCK = threading.Lock()
_count = [0]
_CACHE = tempfile.gettempdir()


def _has_room(limit):
    with _LOCK:
        return _count[0] < limit


def download_all(urls, fetch, limit):
    results = [None] * len(urls)

    def work(i):
        while not _has_room(limit):
            time.sleep(0.0005)
        if os.path.exists(os.path.join(_CACHE, str(i))):  # a syscall: drops the GIL
            return
        with _LOCK:  # the check above may be stale by now
            _count[0] += 1
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        finally:
            with _LOCK:
                _count[0] -= 1

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
