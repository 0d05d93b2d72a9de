"""A cancel-watcher in ``select.select`` on a pipe, woken and joined properly.

Class 5, the correct twin of ``select_pipe_forgotten``: the self-pipe trick.
A watcher thread waits in ``select.select([r], [], [])``; when the downloads
are done download_all writes one byte to the pipe, joins the watcher and
closes both ends. Correct with real threads: the select returns as soon as
the byte is written, whichever thread runs first. Under the controlled
scheduler the select is a real blocking call made on the one OS thread that
runs every controlled thread.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, false `terminates` FAIL: "infinite loop ... Spin: Thread-1 (watch)
... at select_wakeup_pipe.py:28" (the select blocks the one OS thread, so the
byte that would wake it is never written). Threads runtime (tiny): all pass.
"""

import os
import select
import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "select_wakeup_pipe"
ORIGIN = "Written for the trust corpus: the self-pipe trick, a select() watcher woken by one byte and joined."
BREAKS = {}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "select.select"


def download_all(urls, fetch, limit):
    r, w = os.pipe()

    def watch():
        select.select([r], [], [])
        os.read(r, 1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    results = []
    try:
        with ThreadPoolExecutor(max_workers=limit) as pool:
            futures = [pool.submit(fetch, url) for url in urls]
            for f in futures:
                exc = f.exception()
                results.append(exc if exc is not None else f.result())
    finally:
        os.write(w, b"x")
        watcher.join()
        os.close(r)
        os.close(w)
    return results
