"""Workers that poll the queue with ``get(timeout=1)`` until a stop flag is set.

Class 1 (correct, but a timer is always pending). Each worker loops: if the
stop event is set it returns, otherwise it waits up to 1 s for a URL index
and, on ``queue.Empty``, loops again. download_all fills the queue, waits for
``todo.join()`` (every index marked done), sets the stop event and joins the
workers, each of which notices within 1 s. Correct with real threads.

Today (frozen copy, measured): false `terminates` FAIL [empty]: "did not
finish within its budget of 10.000s virtual time: reached t=10.000s with 0 of
0 downloads ended", and false `no_crash` FAIL [single]: "download_all raised
RuntimeError: release unlocked lock" (a stopped run's Aborted escaped
Condition.wait before the lock was re-taken); 5.2 s. Threads runtime (tiny):
false `terminates` too (the 1 s get timeout outlasts the 0.5 s real budget
floor).
"""

import queue
import threading

NAME = "get_timeout_stop_flag"
ORIGIN = "Written for the trust corpus: the common 'get(timeout=1) until stopped' worker loop."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    stop = threading.Event()
    results = {}

    def work():
        while not stop.is_set():
            try:
                i = todo.get(timeout=1)
            except queue.Empty:
                continue
            try:
                results[i] = fetch(urls[i])
            except Exception as exc:
                results[i] = exc
            todo.task_done()

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    for i in range(len(urls)):
        todo.put(i)
    todo.join()
    stop.set()
    for w in workers:
        w.join()
    return [results[i] for i in range(len(urls))]
