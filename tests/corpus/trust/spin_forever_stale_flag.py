"""A helper thread that spins on a copy of its stop flag, and is joined: a real hang.

Class 4 (a spin that never ends). A "ticker" thread is meant to spin until
download_all sets ``ticker.stopped``. But its ``run`` copies the flag into a
local once, before the loop, so it never sees the update. The downloads
themselves are fine; download_all then sets the flag and joins the ticker,
which spins forever, so download_all never returns. On a real machine: one
core at 100 % and a process that never finishes.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, `terminates` FAIL (true), but its headline names the wrong thread:
"infinite loop: MainThread at spin_forever_stale_flag.py:36 ... Spin: Thread-1
ran for more than 1s of real time" (6.2 s). Threads runtime (tiny):
`terminates` (true).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "spin_forever_stale_flag"
ORIGIN = "Written for the trust corpus: a busy loop on a local copy of a stop flag, joined by download_all."
BREAKS = {
    "terminates": "the ticker reads its stop flag once, into a local, and spins on the copy; download_all joins it and never returns",
}


class Ticker(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.stopped = False

    def run(self):
        stopped = self.stopped  # the bug: the flag is read once
        while not stopped:
            pass


def download_all(urls, fetch, limit):
    ticker = Ticker()
    ticker.start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    ticker.stopped = True
    ticker.join()
    return results
