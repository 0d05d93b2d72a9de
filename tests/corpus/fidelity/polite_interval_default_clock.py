"""A semaphore bounds the downloads; a politeness gap spaces their starts, timed by a default argument.

Class 5 (clocks copied at import), correct code. ``_Spacer.wait`` keeps at
least ``GAP`` seconds between two download starts; its clock is the default
argument ``now=time.monotonic``, bound when the function is defined (at
import), and it sleeps with ``time.sleep`` looked up at call time. The limit
itself is a BoundedSemaphore taken before the gap and released after the
download, so the gap only slows things down. ``GAP`` is 2 ms.

Today: differs per invocation: a FlakyFailure crash, killed at 120 s, or false
FAIL terminates "NONDETERMINISTIC: did not finish within its budget of 10.000s
virtual time" [zero_duration]; threads runtime: held.
"""

import threading
import time

NAME = "polite_interval_default_clock"
ORIGIN = "Written for the fidelity corpus: a start-spacing rate limiter whose clock is a default argument."
BREAKS = {}

GAP = 0.002  # seconds between two starts


class _Spacer:
    def __init__(self):
        self.lock = threading.Lock()
        self.last = None

    def wait(self, now=time.monotonic):
        with self.lock:
            while self.last is not None:
                remaining = GAP - (now() - self.last)
                if remaining <= 0:
                    break
                time.sleep(remaining)
            self.last = now()


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    spacer = _Spacer()
    results = [None] * len(urls)

    def work(i):
        try:
            spacer.wait()
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        finally:
            slots.release()

    threads = []
    for i in range(len(urls)):
        slots.acquire()
        threads.append(threading.Thread(target=work, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join()
    return results
