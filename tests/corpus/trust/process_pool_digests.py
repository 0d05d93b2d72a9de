"""Downloads on threads, checksums on a ``concurrent.futures.ProcessPoolExecutor``.

Class 6 (processes, used correctly). ``fetch`` is a closure over the test's
downloader and cannot be sent to another process, so the downloads stay on a
ThreadPoolExecutor; the CPU-bound part, a SHA-256 of each payload, goes to a
process pool of two workers (bytes in, a hex string out, both picklable; the
function is found in the child by reference, which works with the fork start
method, the default on Linux before Python 3.14). The digests go into a
manifest kept on the module; the payloads are returned untouched. Leaving
both ``with`` blocks joins every thread and every child process.

Today (frozen copy, measured): no answer within 120 s on all scenarios (3096
processes in its session when killed). On tiny it prints a false `no_deadlock`
FAIL: "MainThread is blocked in
concurrent.futures.process._chain_from_iterable_of_lists ... no live thread
can wake it", then hangs at exit with 320 forked pool workers alive (blocked
in call_queue.get) until the timeout. Threads runtime (tiny): all pass.
"""

import hashlib
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

NAME = "process_pool_digests"
ORIGIN = "Written for the trust corpus: fetch on threads, hash the payloads in a ProcessPoolExecutor(max_workers=2)."
BREAKS = {}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "starts a process"

MANIFEST = {}


def digest(data):
    return hashlib.sha256(data).hexdigest()


def download_all(urls, fetch, limit):
    results = []
    with ThreadPoolExecutor(max_workers=limit) as threads:
        futures = [threads.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    fetched = [
        (url, item) for url, item in zip(urls, results, strict=True) if isinstance(item, bytes)
    ]
    with ProcessPoolExecutor(max_workers=2) as procs:
        digests = procs.map(digest, [item for _, item in fetched])
        MANIFEST.update((url, d) for (url, _), d in zip(fetched, digests, strict=True))
    return results
