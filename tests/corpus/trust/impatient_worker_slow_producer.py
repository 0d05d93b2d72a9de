"""Impatient workers behind a producer that sleeps before its first put.

Class 3, the deterministic twin of ``impatient_worker_race``. The producer
waits 0.05 s before it puts anything (say, for a rate limiter's first token).
The workers give up after ``get(timeout=0.01)``, so by the time the URLs are
put every worker has exited; none is fetched and download_all returns
``None`` for each. Here the timeout fires while the producer is asleep, not
merely descheduled, so any scheduler, fair or not, and real threads show it
on every scenario with at least one URL.

Today (frozen copy, measured): finds both, correctly: `no_lost_results`
[single] and `errors_reported` [all_fail] "6 of 6 failing URLs not reported"
(3.2 s). Threads runtime (tiny): `no_lost_results` (tiny has no failing URL).
"""

import queue
import threading
import time

NAME = "impatient_worker_slow_producer"
ORIGIN = "Written for the trust corpus: workers that give up after get(timeout=0.01), a producer that first sleeps 0.05 s."
BREAKS = {
    "no_lost_results": "every worker's get(timeout=0.01) times out during the producer's 0.05 s wait and the worker exits; no URL is ever fetched and each comes back as None",
    "errors_reported": "failing URLs are never fetched either, so no failure is among the results",
}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = {}

    def work():
        while True:
            try:
                i = todo.get(timeout=0.01)
            except queue.Empty:
                return  # the bug: empty for 10 ms is taken to mean "all done"
            try:
                results[i] = fetch(urls[i])
            except Exception as exc:
                results[i] = exc

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    time.sleep(0.05)  # waiting for the rate limiter's first token
    for i in range(len(urls)):
        todo.put(i)
    for w in workers:
        w.join()
    return [results.get(i) for i in range(len(urls))]
