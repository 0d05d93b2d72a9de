"""A daemon thread that spins forever and is never stopped: left running after return.

Class 4 (a spin that never ends, after download_all has returned). The
downloads go through a ThreadPoolExecutor and every result is returned. But a
"keep-alive" daemon thread, started first, spins on a condition that nothing
ever makes true (``while not stop_requested: pass`` with the flag never set),
and download_all returns without stopping or joining it. The process can
still exit (the thread is a daemon), but a thread download_all started is
running, at 100 % of a core, for as long as the process lives.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, `terminates` FAIL (the wrong invariant: the spinner holds the one
OS thread before download_all can return, so the true `clean_shutdown` break
is never seen): "infinite loop: MainThread at spin_forever_daemon.py:31 ...
Spin: Thread-1 (keep_alive)". Threads runtime (tiny): `clean_shutdown` (true).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "spin_forever_daemon"
ORIGIN = "Written for the trust corpus: a never-stopped spinning daemon thread left behind by download_all."
BREAKS = {
    "clean_shutdown": "the keep-alive daemon spins on a flag nobody sets; it is still running (forever) after download_all returns",
}


def download_all(urls, fetch, limit):
    state = {"stop_requested": False}

    def keep_alive():
        while not state["stop_requested"]:
            pass

    threading.Thread(target=keep_alive, daemon=True).start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results
