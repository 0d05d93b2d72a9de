"""A relay: each thread downloads one URL, then starts the thread for the next.

Class 3 (recursion depth). Only one download is ever in flight, so the limit
always holds. Thread k is started from inside thread k-1, so a few hundred
URLs mean a few hundred nested starts, but each real thread has its own
stack: on CPython the depth of the chain costs nothing. The last thread sets
``done``; download_all then joins every thread (each has appended itself to
``chain`` before starting its successor). Correct code; run it on a few
hundred URLs with ``make_scale_scenario.py --chain``.

Today: right: held, warn work_conserving (true: one download at a time), 2-3
s; chains of 300 to 10,000 threads held too.
"""

import threading

NAME = "thread_chain"
ORIGIN = "Written for the fidelity corpus: threads that start threads, one per URL, in a chain."
BREAKS = {}


def download_all(urls, fetch, limit):
    results = [None] * len(urls)
    chain = []
    done = threading.Event()

    def relay(i):
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        if i + 1 < len(urls):
            nxt = threading.Thread(target=relay, args=(i + 1,), name=f"relay-{i + 1}")
            chain.append(nxt)
            nxt.start()
        else:
            done.set()

    if not urls:
        return []
    first = threading.Thread(target=relay, args=(0,), name="relay-0")
    chain.append(first)
    first.start()
    done.wait()
    for t in list(chain):
        t.join()
    return results
