"""The caller spins on a counter with a bare ``while count < n: pass``.

Class 4 (a spinner that ends on a real machine). Workers drain a pre-filled
queue and bump a shared counter under a lock. download_all waits for the
count with an empty loop: no sleep, no lock, no call. It is wasteful but not
wrong on CPython: the interpreter makes the spinning thread drop the GIL every
switch interval (5 ms), the workers run, the counter (a list element, read
afresh on every iteration) reaches ``len(urls)`` and the loop ends. Under the
controlled scheduler the loop never reaches a scheduling point.

Today (frozen copy, measured): no answer within 120 s, even on tiny (each run
spins 1 s of real time before the watchdog stops it); with `--runs 3`, false
`terminates` FAIL: "infinite loop: MainThread at spin_wait_counter.py:48 in
download_all ran without reaching a scheduling point" (10.5 s). Threads
runtime (tiny): all pass.
"""

import queue
import threading

NAME = "spin_wait_counter"
ORIGIN = (
    "Written for the trust corpus: a pure busy-wait on a counter that worker threads increment."
)
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
    lock = threading.Lock()
    results = [None] * len(urls)
    finished = [0]

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
            with lock:
                finished[0] += 1

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    while finished[0] < len(urls):
        pass
    for w in workers:
        w.join()
    return results
