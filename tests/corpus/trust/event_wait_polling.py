"""Workers that poll an empty queue with ``Event.wait(0.05)`` between tries.

Class 1 (correct, but a timer is always pending). A worker takes an index with
``get_nowait()``; when the queue is empty it waits 0.05 s on the stop event
and returns once the event is set. download_all starts the workers before it
fills the queue (so they really do poll), waits for ``todo.join()``, sets the
event and joins them. Correct with real threads.

Today (frozen copy, measured): false `terminates` FAIL [empty]: "did not
finish within its budget of 10.000s virtual time: reached t=9.950s with 0 of 0
downloads ended", and false `no_crash` FAIL [single]: "download_all raised
RuntimeError: release unlocked lock"; 25 s. Threads runtime (tiny): all pass.
"""

import queue
import threading

NAME = "event_wait_polling"
ORIGIN = "Written for the trust corpus: an Event.wait(0.05) polling loop around get_nowait()."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    stop = threading.Event()
    results = {}

    def work():
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                if stop.wait(0.05):
                    return
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
