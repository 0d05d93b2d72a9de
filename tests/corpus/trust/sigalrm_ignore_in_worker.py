"""Workers that try to ignore SIGALRM, then busy-wait for a starting gun.

Class 8 (hostile to a SIGALRM watchdog; correct on a real machine). Each
worker first calls ``signal.signal(signal.SIGALRM, signal.SIG_IGN)`` ("alarms
must not interrupt a download"), catching the ValueError CPython raises when
that is called off the main thread: with real threads it always is, so the
call never takes effect. Then the worker spins on a list element until
download_all fires the starting gun, and drains a queue. The spin ends on
CPython (GIL switch interval), every URL is done once, and the workers are
joined. Under a scheduler that runs every thread on the main OS thread, the
call succeeds, and the SIGALRM handler it replaces is gone.

Today (frozen copy, measured): interlock hangs for good, even on one run of
tiny: under the controlled scheduler the worker's ``signal.signal`` runs on
the main OS thread and succeeds, the watchdog's SIGALRM handler is gone, and
the spin that follows is never stopped. Threads runtime (tiny): all pass.
"""

import queue
import signal
import threading

NAME = "sigalrm_ignore_in_worker"
ORIGIN = "Written for the trust corpus: signal.signal(SIGALRM, SIG_IGN) attempted in worker threads, then a busy-wait."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
    results = [None] * len(urls)
    go = [False]

    def work():
        try:
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
        except ValueError:
            pass  # "signal only works in main thread": fine, nothing to do
        while not go[0]:
            pass
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
    go[0] = True
    for w in workers:
        w.join()
    return results
