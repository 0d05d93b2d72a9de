"""One thread per URL; a failed download's handler raises KeyboardInterrupt, which ``except Exception`` lets through.

Class 8 (a worker dies of an exception that is not an Exception). Each
thread catches ``Exception`` around its whole body and releases its slot in
``finally``. On a failure it calls ``_ask_operator``, which raises
KeyboardInterrupt (as if the user hit Ctrl-C at a prompt; raised explicitly
here). KeyboardInterrupt is a BaseException, so the thread dies with its
result unset; ``finally`` still frees the slot, so the others go on and
download_all returns normally (a KeyboardInterrupt in a non-main thread only
ends that thread). Precisely: ``errors_reported`` whenever a URL fails;
nothing hangs, nothing is lost among the successes.

Today: right: FAIL errors_reported "6 of 6 failing URLs not reported"
[all_fail] (3 s); threads runtime: FlakyFailure crash by default, FAIL with
--generated 0.
"""

import threading

NAME = "worker_keyboard_interrupt"
ORIGIN = "Written for the fidelity corpus: KeyboardInterrupt raised in a worker thread."
BREAKS = {
    "errors_reported": "a failing URL's thread dies of KeyboardInterrupt before it stores the "
    "exception, so its result is None",
}


def _ask_operator(url):
    raise KeyboardInterrupt(f"operator gave up on {url}")


def download_all(urls, fetch, limit):
    slots = threading.BoundedSemaphore(limit)
    results = [None] * len(urls)

    def work(i):
        try:
            results[i] = fetch(urls[i])
        except Exception as exc:
            _ask_operator(urls[i])
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
