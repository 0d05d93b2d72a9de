"""A manager thread that wakes every 0.1 s to see whether the work is done.

Class 1 (correct, but a timer is always pending). Workers take URL indices
from a queue until they get an end marker. A manager thread sleeps 0.1 s in
a loop and checks, under a lock, whether every URL has a result; when it
does, it posts one end marker per worker. download_all joins the manager and
then the workers. With real threads the manager's sleep always ends and the
workers progress while it sleeps, so every URL is done, at most ``limit`` at
once, and no thread is left.

Today (frozen copy, measured): false `terminates` FAIL [single]: "did not
finish within its budget of 12.000s virtual time ... MainThread: Thread.join:
waits for Thread-5 (manage)" (the clock ran the manager's 0.1 s sleeps up to
the budget while a worker was runnable); all else passes (4407 runs, 4.9 s).
Threads runtime (tiny): all pass.
"""

import queue
import threading
import time

NAME = "poll_manager_done_flag"
ORIGIN = "Written for the trust corpus: a worker pool whose manager polls a done flag with time.sleep(0.1)."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = {}
    lock = threading.Lock()

    def work():
        while True:
            i = todo.get()
            if i is None:
                return
            try:
                item = fetch(urls[i])
            except Exception as exc:
                item = exc
            with lock:
                results[i] = item

    def manage():
        while True:
            with lock:
                done = len(results) == len(urls)
            if done:
                break
            time.sleep(0.1)
        for _ in workers:
            todo.put(None)

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    for i in range(len(urls)):
        todo.put(i)
    manager = threading.Thread(target=manage)
    manager.start()
    manager.join()
    for w in workers:
        w.join()
    return [results[i] for i in range(len(urls))]
