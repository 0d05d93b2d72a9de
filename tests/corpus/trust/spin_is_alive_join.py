"""The caller "joins" its workers by spinning on ``any(t.is_alive() ...)``.

Class 4 (a spinner that ends on a real machine). The workers drain a
pre-filled queue; download_all waits for them with a busy loop over
``Thread.is_alive()`` instead of ``join()``. On CPython the workers run while
the caller spins and each thread's ``is_alive()`` turns false when it ends, so
the loop ends. Unlike a bare ``pass`` loop, ``is_alive()`` polls the thread's
state lock without blocking (``acquire(False)``), which is a scheduling point
under the controlled scheduler: this spinner is visible to it, step by step.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, false `terminates` FAIL: "infinite loop: MainThread at
spin_is_alive_join.py:44 ... ran without reaching a scheduling point
(t=0.000s, 30 steps)" (10.5 s): ``is_alive()`` is not a scheduling point after
all. Threads runtime (tiny): all pass.
"""

import queue
import threading

NAME = "spin_is_alive_join"
ORIGIN = (
    "Written for the trust corpus: waiting for worker threads with a busy loop over is_alive()."
)
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
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

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    while any(w.is_alive() for w in workers):
        pass
    return results
