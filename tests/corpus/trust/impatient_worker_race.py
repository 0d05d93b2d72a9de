"""Workers that take "queue empty for 10 ms" to mean "no more work" (a real race).

Class 3 (a real bug that needs a timeout to fire while another thread could
run). download_all starts the workers first and only then puts the URLs.
Each worker calls ``get(timeout=0.01)`` and returns on ``queue.Empty``. If the
producer is descheduled for 10 ms before (or between) its puts, every worker
can give up while URLs are still to come; those URLs are never downloaded
and download_all returns ``None`` for them. A timeout is no promise that the
producer is done: here the producer was runnable the whole time, it just had
not run. With real threads on an idle machine the window is rarely hit.

Today (frozen copy, measured): finds both, correctly: `no_lost_results`
[single] "1 of 1 successful URLs have no intact payload" and `errors_reported`
[all_fail] (3.5 s), by letting virtual time pass while the producer was
runnable; a scheduler that never advances the clock while a thread can run
would miss them. Threads runtime (tiny): all pass (the race is rare).
"""

import queue
import threading

NAME = "impatient_worker_race"
ORIGIN = "Written for the trust corpus: workers that exit on get(timeout=0.01) raising Empty, started before the producer puts."
BREAKS = {
    "no_lost_results": "a worker's get(timeout=0.01) can time out before the producer's put; once all have, the URLs not yet taken are never fetched and come back as None",
    "errors_reported": "a failing URL that no worker took before they all gave up is never fetched, so its failure is not among the results",
}
RARE_WITH_THREADS = {"no_lost_results", "errors_reported"}


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
    for i in range(len(urls)):
        todo.put(i)
    for w in workers:
        w.join()
    return [results.get(i) for i in range(len(urls))]
