"""The caller busy-polls a counter under a lock: ``while True: with lock: if done: break``.

Class 2 (correct on a real machine: wasteful, not wrong). Workers drain a
pre-filled queue and count finished URLs under a lock. download_all does not
sleep or wait on anything: it takes the lock, looks at the count, releases
it, again and again. On CPython the OS schedules the workers anyway (the
poller drops the GIL every switch interval, and between its release and its
next acquire a worker can take the lock), so the count is reached and the
loop ends; measured on this machine, 20 URLs of 10 ms with limit 4 finish in
about 80 ms instead of 50 ms. Every acquire is a scheduling point under the
controlled scheduler, so the poller never spins without one.

Today (frozen copy, measured): no answer within 120 s on all scenarios (every
run ends at the 200,000-step budget); on tiny, false `terminates` FAIL:
"livelock: 200001 scheduling decisions without finishing (t=0.000s, 0 of 5
downloads ended)" (9.5 s). Threads runtime (tiny): all pass.
"""

import queue
import threading

NAME = "lock_busy_poll"
ORIGIN = "Written for the trust corpus: a lock-protected busy-poll for completion, with no sleep."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    for i in range(len(urls)):
        todo.put(i)
    lock = threading.Lock()
    results = [None] * len(urls)
    finished = [0]

    def work():
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                item = fetch(urls[i])
            except Exception as exc:
                item = exc
            with lock:
                results[i] = item
                finished[0] += 1

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    while True:
        with lock:
            if finished[0] == len(urls):
                break
    for w in workers:
        w.join()
    return results
