"""Polling workers whose bare ``except:`` clauses swallow everything and loop on.

Class 7 (correct on a real machine; hostile to a runner that stops threads by
raising into them). Workers poll the queue with ``get(timeout=0.5)`` until a
stop event is set; a bare ``except:`` around the get loops on any exception,
and another around fetch turns whatever fetch raises into the URL's result.
With real threads no BaseException other than the ones fetch raises ever
reaches a worker (KeyboardInterrupt goes to the main thread), so this is
correct: every URL is done once, results are in order, the workers end when
the event is set and are joined. An exception thrown into a worker to stop it
is caught and the worker goes on with its loop.

Today (frozen copy, measured): interlock hangs: no answer within 120 s, even
on tiny. Once a run is stopped (falsely, by the clock) the Aborted thrown into
a worker is swallowed and the next get raises it again, in a loop with no
scheduling point, until a watchdog Aborted happens to land outside the bare
except. With `--runs 3`, false `terminates` FAIL [tiny] after 58.9 s. Threads
runtime (tiny): false `terminates` (0.5 s poll against the 0.5 s real budget
floor).
"""

import queue
import sys
import threading

NAME = "bare_except_worker"
ORIGIN = "Written for the trust corpus: get(timeout=0.5) polling workers with bare except: clauses that keep looping."
BREAKS = {}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    stop = threading.Event()
    results = {}

    def work():
        while not stop.is_set():
            try:
                i = todo.get(timeout=0.5)
            except:  # noqa: E722 - on purpose: swallows everything, loops on
                continue
            try:
                results[i] = fetch(urls[i])
            except:  # noqa: E722 - on purpose: whatever fetch raised is the result
                results[i] = sys.exc_info()[1]
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
