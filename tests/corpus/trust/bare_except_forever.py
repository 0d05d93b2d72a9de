"""Daemon workers in ``while True: try: ... except: pass``: failures vanish, workers never end.

Class 7 (a real bug, and hostile to a runner that stops threads by raising
into them). Each worker loops forever on ``todo.get()``; a bare ``except:
pass`` keeps it alive whatever happens. A failed fetch is swallowed, so that
URL comes back as ``None``. ``task_done()`` sits in a ``finally`` so
``todo.join()`` returns, and download_all returns with every worker still
blocked in ``get()``: daemon threads, never told to stop. Anything raised into
such a worker to stop it is swallowed too, and the next ``get()`` is tried.

Today (frozen copy, measured): interlock hangs for good, even on one run of
tiny: stopping the leftover workers raises Aborted in todo.get(), which
except: pass swallows, in a loop with no scheduling point. Threads runtime
(tiny): `clean_shutdown` (true; tiny has no failing URL, so `errors_reported`
is not exercised).
"""

import queue
import threading

NAME = "bare_except_forever"
ORIGIN = "Written for the trust corpus: daemon workers whose bare except: pass swallows failures and every way to stop them."
BREAKS = {
    "errors_reported": "a failed fetch is swallowed by the bare except: pass; its URL comes back as None instead of its exception",
    "clean_shutdown": "the daemon workers are never told to stop; after download_all returns each is blocked in Queue.get forever",
}


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = {}

    def work():
        while True:
            try:
                i = todo.get()
                try:
                    results[i] = fetch(urls[i])
                finally:
                    todo.task_done()
            except:  # noqa: E722 - the bug, on purpose
                pass

    for _ in range(limit):
        threading.Thread(target=work, daemon=True).start()
    for i in range(len(urls)):
        todo.put(i)
    todo.join()
    return [results.get(i) for i in range(len(urls))]
