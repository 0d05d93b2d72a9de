"""The caller counts finished downloads with ``Semaphore.acquire(timeout=0.2)``.

Class 1 (correct, but a timer is always pending). Each worker releases a
"finished" semaphore once per URL it completes. download_all acquires it once
per URL, each time in a loop of 0.2 s timed waits (so that it could give up or
report progress), then joins the workers, which have run out of work by then.
Correct with real threads.

Today (frozen copy, measured): false `terminates` FAIL [single]: "did not
finish within its budget of 12.000s virtual time ... MainThread:
Semaphore.acquire: value 0 (timeout at t=12.200s)"; all else passes (4.9 s).
Threads runtime (tiny): all pass.
"""

import queue
import threading

NAME = "semaphore_acquire_timeout"
ORIGIN = (
    "Written for the trust corpus: a completion count polled with Semaphore.acquire(timeout=0.2)."
)
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
    finished = threading.Semaphore(0)
    results = [None] * len(urls)

    def work():
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = fetch(urls[i])
            except Exception as exc:
                results[i] = exc
            finished.release()

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    for _ in urls:
        while not finished.acquire(timeout=0.2):
            pass  # still waiting: a real program might log here
    for w in workers:
        w.join()
    return results
