"""The caller waits with ``Condition.wait_for(pred, timeout=0.5)`` in a loop.

Class 1 (correct, but a timer is always pending). Workers claim the next URL
index under a condition's lock, fetch it outside the lock, store the result
and notify. download_all waits for "no URL remaining" in slices of 0.5 s (the
shape code takes so that it can log progress or notice Ctrl-C), then joins
the workers. Correct with real threads.

Today (frozen copy, measured): false `terminates` FAIL [single]: "did not
finish within its budget of 12.000s virtual time ... MainThread:
Condition.wait_for (timeout at t=12.500s)"; all else passes (3.1 s). Threads
runtime (tiny): all pass.
"""

import threading

NAME = "condition_wait_for_timeout"
ORIGIN = (
    "Written for the trust corpus: a progress loop around Condition.wait_for(pred, timeout=0.5)."
)
BREAKS = {}


def download_all(urls, fetch, limit):
    cond = threading.Condition()
    results = [None] * len(urls)
    state = {"next": 0, "remaining": len(urls)}

    def work():
        while True:
            with cond:
                i = state["next"]
                if i >= len(urls):
                    return
                state["next"] = i + 1
            try:
                item = fetch(urls[i])
            except Exception as exc:
                item = exc
            with cond:
                results[i] = item
                state["remaining"] -= 1
                cond.notify_all()

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    with cond:
        while not cond.wait_for(lambda: state["remaining"] == 0, timeout=0.5):
            pass  # a real program would report progress here
    for w in workers:
        w.join()
    return results
