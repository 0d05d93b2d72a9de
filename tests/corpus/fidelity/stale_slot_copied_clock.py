"""A slot limiter that reclaims "stale" slots, timed with ``from time import monotonic``.

Class 5 (clocks copied at import), a real bug. Each download records its start
time. A thread waiting for a slot is woken whenever a download ends, and
counts as busy only the downloads that started less than ``STALE`` seconds
ago: older ones are presumed hung and their slots reclaimed. But a slow
download is not a hung one; it is still in flight, so once any download
outlasts ``STALE`` the limit is exceeded. ``STALE`` is 5 ms so that the
threads runtime (1 virtual second = 1 ms) shows it with downloads of 6 to 8
virtual seconds; any value breaks for downloads that outlast it. The clock is
a copy taken at import, so it reads real time even where sleeps are virtual.

Today: found, but NONDETERMINISTIC: "148 downloads in flight at t=11.000s ...;
limit is 4" [article], plus a false NONDETERMINISTIC terminates (step budget);
one invocation crashed with FlakyFailure; threads runtime: FAIL max_in_flight.
"""

import threading
from time import monotonic

NAME = "stale_slot_copied_clock"
ORIGIN = (
    "Written for the fidelity corpus: stale-slot reclamation timed by a clock copied at import."
)
BREAKS = {
    "max_in_flight": "a download running longer than STALE is no longer counted, so another "
    "starts beside it: limit + 1 or more in flight (real threads show it on 6-8 s downloads)",
}

STALE = 0.005  # seconds


def download_all(urls, fetch, limit):
    cond = threading.Condition()
    started = {}  # index -> monotonic() at start, for downloads in flight
    results = [None] * len(urls)

    def busy():
        now = monotonic()
        return sum(1 for t in started.values() if now - t < STALE)

    def work(i):
        with cond:
            while busy() >= limit:
                cond.wait()  # woken when a download ends
            started[i] = monotonic()
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        finally:
            with cond:
                del started[i]
                cond.notify_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
