"""A relay in which every thread waits for the rest of the chain: start the next, join it.

Class 3 (recursion depth). Thread k downloads URL k, starts thread k+1 and
joins it, so at the end all the threads are alive at once, each blocked in
``join()`` on its successor, a wait chain as long as the URL list. Only one
download is in flight at a time. When the last thread ends the joins unwind
from the tail; download_all joins thread 0 and so returns only when every
thread has ended. On CPython each thread has its own C stack, so a chain of a
few hundred (a few thousand, memory allowing) is fine. Correct code.

Today: false FAIL no_lost_results "405 of 492 successful URLs have no intact
payload among 500 results" [article] (RecursionError in the ~89th nested
thread); with /tmp/chain_300.toml verify itself crashes with RecursionError;
threads runtime: held.
"""

import threading

NAME = "thread_chain_joined"
ORIGIN = "Written for the fidelity corpus: threads that start and join threads, a chain of joins."
BREAKS = {}


def download_all(urls, fetch, limit):
    results = [None] * len(urls)

    def relay(i):
        try:
            results[i] = fetch(urls[i])
        except OSError as exc:
            results[i] = exc
        if i + 1 < len(urls):
            nxt = threading.Thread(target=relay, args=(i + 1,), name=f"relay-{i + 1}")
            nxt.start()
            nxt.join()

    if urls:
        first = threading.Thread(target=relay, args=(0,), name="relay-0")
        first.start()
        first.join()
    return results
