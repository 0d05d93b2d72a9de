"""A failing worker busy-waits for an acknowledgement that only comes after it reports.

Class 9 (the spin verdict). Workers put (index, payload) on ``done``; the
main thread collects ``len(urls)`` pairs with ``done.get()`` and only then
acknowledges the errors it was told about. A worker whose download fails
records the error and then spins, ``while i not in acked: pass`` (no sleep,
no lock), before it puts its pair. The main thread waits in ``Queue.get``
for that very pair, so: one thread blocked in ``Queue.get`` forever, one
thread spinning forever, whenever a URL fails. A livelock; the process never
finishes and burns a CPU. The cause is the spinning worker, which waits for
something the blocked main thread can only do after it.

Today: killed at 120 s (and at 600 s with --generated 0); --scenario all_fail
--runs 3: FAIL terminates naming the wrong thread, "infinite loop: MainThread
at spin_waits_for_ack.py:52 in download_all ran without reaching a scheduling
point" (the spinner is worker-0, line 44).
"""

import queue
import threading

NAME = "spin_waits_for_ack"
ORIGIN = (
    "Written for the fidelity corpus: a busy-wait on an acknowledgement that follows the report."
)
BREAKS = {
    "terminates": "a failing worker spins until the main thread acknowledges its error, and the "
    "main thread, blocked in done.get(), acknowledges only after the worker reports",
}


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    done = queue.Queue()
    errors = {}
    acked = set()

    def work(i):
        try:
            try:
                done.put((i, fetch(urls[i])))
            except OSError as exc:
                errors[i] = exc
                while i not in acked:  # busy-wait: nothing here ever blocks
                    pass
                done.put((i, exc))
        finally:
            slots.release()

    threads = []
    for i in range(len(urls)):
        slots.acquire()
        threads.append(threading.Thread(target=work, args=(i,), name=f"worker-{i}"))
        threads[-1].start()
    results = [None] * len(urls)
    for _ in urls:
        i, result = done.get()
        results[i] = result
    acked.update(errors)
    for t in threads:
        t.join()
    return results
