"""Downloads on threads, checksums on a ``multiprocessing.Pool``.

Class 6 (processes, used correctly). As in ``process_pool_digests``, fetch
stays on threads (a ThreadPoolExecutor, ``limit`` workers) and only the
picklable SHA-256 work goes to ``multiprocessing.Pool(2)``. The pool starts
its two children when it is made, even with nothing to hash; ``close()``
then ``join()`` waits for them to exit. The payloads are returned untouched.

Today (frozen copy, measured): false `no_crash` FAIL [empty]: "download_all
raised AttributeError: 'PipeQueue' object has no attribute '_writer'"
(interlock's stand-in for the Pool's SimpleQueue lacks what Pool uses); 4.4 s.
Threads runtime (tiny): all pass.
"""

import hashlib
import multiprocessing
from concurrent.futures import ThreadPoolExecutor

NAME = "multiprocessing_pool_digests"
ORIGIN = "Written for the trust corpus: fetch on threads, hash the payloads with multiprocessing.Pool(2).map."
BREAKS = {}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "makes a process pool"

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
    pool = multiprocessing.Pool(2)
    try:
        digests = pool.map(digest, [item for _, item in fetched])
    finally:
        pool.close()
        pool.join()
    MANIFEST.update((url, d) for (url, _), d in zip(fetched, digests, strict=True))
    return results
