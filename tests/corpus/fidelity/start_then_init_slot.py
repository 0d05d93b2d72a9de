"""Workers write into a per-URL dict entry that the parent creates after start().

Class 1 (Thread.start() ordering). The parent starts the worker for URL i and
only then does ``status[i] = {}``; the worker's first act is
``status[i]["started"] = True``. When the child runs first (on CPython it
usually does: it keeps the GIL after signalling ``_started``) it dies of
KeyError before it downloads, and its URL comes back as None. The parent's
own ``status[i] = {}`` then succeeds, so download_all returns normally.

Today: right: FAIL no_lost_results "1 of 1 successful URLs have no intact
payload among 1 result: u0" [single] and FAIL errors_reported [all_fail] (6-9
s); --runtime threads crashes with FlakyFailure unless --generated 60.
"""

import threading

NAME = "start_then_init_slot"
ORIGIN = "Written for the fidelity corpus: a shared status dict whose entry is made after start()."
BREAKS = {
    "no_lost_results": "a worker that runs before `status[i] = {}` dies of KeyError and its "
    "successful URL is returned as None",
    "errors_reported": "the same for a failing URL: its exception never reaches the results",
}


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    status = {}

    def work(i):
        try:
            status[i]["started"] = True  # KeyError if the parent has not got here yet
            try:
                status[i]["result"] = fetch(urls[i])
            except OSError as exc:
                status[i]["result"] = exc
        finally:
            slots.release()

    threads = []
    for i in range(len(urls)):
        slots.acquire()
        t = threading.Thread(target=work, args=(i,))
        t.start()
        status[i] = {}  # too late when the child ran first
        threads.append(t)
    for t in threads:
        t.join()
    return [status[i].get("result") for i in range(len(urls))]
