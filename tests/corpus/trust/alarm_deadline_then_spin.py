"""An overall ``signal.alarm`` deadline set by the caller, then a busy-wait for the workers.

Class 8 (hostile to a SIGALRM watchdog; correct on a real machine). On the
main thread, download_all arms a 600 s deadline the Unix way: its own
SIGALRM handler and ``signal.alarm(600)`` (which replaces any interval timer
already set). It waits for its workers by spinning on a counter, then
cancels the alarm with ``signal.alarm(0)`` and restores the old handler. Off
the main thread it skips the deadline. Correct with real threads: the spin
ends (GIL switch interval) long before 600 s; every URL is done once.

Today (frozen copy, measured): interlock hangs for good, even on one run of
tiny: ``signal.alarm(600)`` replaces the watchdog's interval timer (and its
handler), so the spin is never stopped. Threads runtime (tiny): all pass.
"""

import queue
import signal
import threading

NAME = "alarm_deadline_then_spin"
ORIGIN = "Written for the trust corpus: a signal.alarm(600) overall deadline, a spin-wait, then alarm(0) and the old handler back."
BREAKS = {}


def _deadline(signum, frame):
    raise TimeoutError("downloads took longer than 600 s")


def download_all(urls, fetch, limit):
    try:
        old = signal.signal(signal.SIGALRM, _deadline)
        signal.alarm(600)
    except ValueError:
        old = None  # not the main thread: no deadline
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
    results = [None] * len(urls)
    finished = [0]
    lock = threading.Lock()

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
    try:
        for w in workers:
            w.start()
        while finished[0] < len(urls):
            pass
        for w in workers:
            w.join()
    finally:
        if old is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
    return results
