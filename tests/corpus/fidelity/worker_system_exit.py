"""A ThreadPoolExecutor task calls ``sys.exit(1)`` when a download fails.

Class 8 (a worker dies of an exception that is not an Exception). The task
"gives up" on a failure with ``sys.exit(1)``. In a pool thread that does not
end the process: ``concurrent.futures`` catches BaseException in the task and
stores SystemExit in the future, and the worker thread carries on. Then
``future.result()`` re-raises SystemExit in download_all, whose
``except Exception`` does not catch it, so download_all raises SystemExit
(leaving the ``with`` block first, which joins the pool). Precisely: a
``no_crash`` break whenever a URL fails; no thread is left and nothing hangs.

Today: right: FAIL no_crash "download_all raised SystemExit: 1" [all_fail] (4
s); threads runtime: FlakyFailure crash by default, FAIL no_crash with
--generated 60.
"""

import sys
from concurrent.futures import ThreadPoolExecutor

NAME = "worker_system_exit"
ORIGIN = "Written for the fidelity corpus: sys.exit() inside a ThreadPoolExecutor task."
BREAKS = {
    "no_crash": "SystemExit from a failing task is re-raised by future.result() and escapes "
    "download_all (except Exception does not catch it)",
}


def download_all(urls, fetch, limit):
    def task(url):
        try:
            return fetch(url)
        except OSError:
            sys.exit(1)  # "give up"

    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(task, url) for url in urls]
        for future in futures:
            try:
                results.append(future.result())
            except Exception as exc:
                results.append(exc)
    return results
