"""Workers log each start and finish through a logger configured at import.

Class 4 (locks made at import). The logger's StreamHandler writes to an
``io.StringIO`` made at import; ``logging`` guards every handler with an RLock
made when the handler is (here: at import), and its module lock too. Slots are
a BoundedSemaphore made per call. Correct code: logging is thread-safe, and
the log is only an aside (download_all empties it, then checks it ends
with two lines per URL).

Today: right: every invariant held (5 s), with real threads too.
"""

import io
import logging
import threading

NAME = "logging_workers"
ORIGIN = (
    "Written for the fidelity corpus: stdlib logging from worker threads, handler made at import."
)
BREAKS = {}

LOG_TEXT = io.StringIO()
log = logging.getLogger("fidelity.logging_workers")
log.setLevel(logging.INFO)
log.propagate = False
_handler = logging.StreamHandler(LOG_TEXT)
_handler.setFormatter(logging.Formatter("%(threadName)s %(message)s"))
log.addHandler(_handler)


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)
    LOG_TEXT.seek(0)
    LOG_TEXT.truncate()  # one call's log at a time

    def work(i):
        try:
            log.info("start %s", urls[i])
            try:
                results[i] = fetch(urls[i])
                log.info("done %s", urls[i])
            except OSError as exc:
                results[i] = exc
                log.warning("failed %s: %s", urls[i], exc)
        finally:
            slots.release()

    threads = []
    for i in range(len(urls)):
        slots.acquire()
        threads.append(threading.Thread(target=work, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join()
    assert LOG_TEXT.getvalue().count("\n") == 2 * len(urls), "log lines went missing"
    return results
