"""A cancel-watcher blocked in ``select.select`` on a pipe nobody writes to, left behind.

Class 5 (an unmodelled blocking call that never returns, after download_all
has returned). A daemon thread waits in ``select.select([r], [], [])`` for a
cancel byte on a pipe. download_all never writes to it, never closes the
write end and never joins the watcher: it returns every result with the
watcher still blocked. The process can exit (daemon thread), but a thread
download_all started is blocked for good, and two file descriptors leak.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, `terminates` FAIL (the wrong invariant; the true break is
`clean_shutdown`): "infinite loop ... Spin: Thread-1 (watch) ... at
select_pipe_forgotten.py:30". Threads runtime (tiny): `clean_shutdown` (true),
worded "still running" for a thread blocked in select.
"""

import os
import select
import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "select_pipe_forgotten"
ORIGIN = "Written for the trust corpus: a select() cancel-watcher on a pipe that download_all forgets to signal."
BREAKS = {
    "clean_shutdown": "the watcher is blocked in select.select on a pipe that is never written or closed; it is still blocked after download_all returns",
}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "select.select"


def download_all(urls, fetch, limit):
    r, w = os.pipe()
    cancelled = threading.Event()

    def watch():
        select.select([r], [], [])
        cancelled.set()

    threading.Thread(target=watch, daemon=True).start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results  # the bug: os.write(w, b"x") or os.close(w), then join, is missing
