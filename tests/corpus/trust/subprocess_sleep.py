"""A helper thread waits 5 real seconds in ``subprocess.run(["sleep", "5"])``.

Class 5 (an unmodelled blocking call that does return: correct, slow). While
the downloads run, a helper thread runs an external command (standing in for
an indexer or a cache warmer) that takes 5 s; download_all joins it before it
returns. On a real machine this is correct: ``sleep 5`` ends, the helper
ends, every result is returned, nothing is left. The wait is in
``waitpid``, which no scheduler of Python threads sees; 5 real seconds have
no virtual duration, so a time budget in virtual seconds says nothing about
it. ``subprocess.run`` kills the child if the wait is interrupted.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, false `terminates` FAIL: "infinite loop ... Spin: Thread-1 (run)
... at subprocess.py:2004 in _try_wait" (7.1 s). Threads runtime (tiny): false
`terminates` too (5 real seconds against a 0.5 s budget), and two `sleep 5`
grandchildren outlive interlock.
"""

import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "subprocess_sleep"
ORIGIN = "Written for the trust corpus: a thread that runs subprocess.run(['sleep', '5']) beside the downloads."
BREAKS = {}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "os.waitpid"


def download_all(urls, fetch, limit):
    helper = threading.Thread(target=subprocess.run, args=(["sleep", "5"],), kwargs={"check": True})
    helper.start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    helper.join()
    return results
