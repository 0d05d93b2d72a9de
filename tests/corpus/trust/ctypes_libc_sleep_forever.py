"""A daemon thread that calls libc ``sleep(5)`` through ctypes in an endless loop.

Class 5 (an unmodelled blocking call in C, in a thread that never ends). A
"keep-alive" daemon thread pings a C library every 5 s, here simply
``libc.sleep(5)`` via ctypes (which releases the GIL for the call), in a
``while True`` loop that nothing stops. Downloads go through a
ThreadPoolExecutor and every result is returned, but the thread is still
alive, in C, after download_all returns: on a real machine it lives until
the process exits.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, `terminates` FAIL (the wrong invariant; true is `clean_shutdown`):
"infinite loop ... Spin: Thread-1 (keep_alive) ... at
ctypes_libc_sleep_forever.py:33". Threads runtime (tiny): `clean_shutdown`
(true), "blocked forever in sleep".
"""

import ctypes
import ctypes.util
import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "ctypes_libc_sleep_forever"
ORIGIN = (
    "Written for the trust corpus: a never-stopped daemon thread looping on ctypes libc.sleep(5)."
)
BREAKS = {
    "clean_shutdown": "the keep-alive thread loops on libc.sleep(5) forever; it is still alive after download_all returns",
}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "CDLL.sleep"

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def download_all(urls, fetch, limit):
    def keep_alive():
        while True:
            _libc.sleep(5)

    threading.Thread(target=keep_alive, daemon=True).start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results
