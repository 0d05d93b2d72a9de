"""A pool that stops at the first failure, and says so: ``PROMISES`` declares that
it is fail-fast and keeps URL order, and the checkers hold it to both.

Source: written for interlock (not from the article) as the worked example of a
subject that promises more than the contract. Many batch downloads should not
go on once one has failed (the rest would be thrown away, or the failure means
the server is down): such a pool starts no new download after the first
failure, and returns what it did download.

- ``limit`` workers take URL indices under a lock; before taking one, each
  looks at a shared ``stop`` event, so once a failure is recorded no worker
  starts another download. (A worker that has already taken its index may
  still start it in the instant of the failure: ``fail_fast`` allows that.)
- The worker whose download failed sets ``stop`` before it takes anything else.
- The results are the items of the downloads that ran, payload or exception,
  in URL order; the URLs never started have none, as the promise allows.
"""

from __future__ import annotations

import threading

__all__ = ["download_all"]

NAME = "fail_fast_pool"
ORIGIN = (
    "Written for interlock: a pool that starts no new download once one has failed, "
    "declaring PROMISES = {'fail_fast': True, 'ordered': True}."
)
BREAKS: dict[str, str] = {}
PROMISES = {"fail_fast": True, "ordered": True}


def download_all(urls, fetch, limit):
    """The items of the downloads that ran, in URL order; none after a failure."""
    results: dict[int, object] = {}
    numbered = iter(range(len(urls)))
    lock = threading.Lock()
    stop = threading.Event()

    def work():
        while True:
            with lock:
                index = None if stop.is_set() else next(numbered, None)
            if index is None:
                return
            try:
                item = fetch(urls[index])
            except Exception as exc:  # the exception is the result, and the end
                item = exc
                stop.set()
            with lock:
                results[index] = item

    workers = [threading.Thread(target=work) for _ in range(min(limit, len(urls)))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return [results[index] for index in sorted(results)]
