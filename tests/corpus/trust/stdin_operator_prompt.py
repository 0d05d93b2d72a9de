"""An "operator console" daemon thread blocked in ``input()``, left behind.

Class 5 (an unmodelled blocking call; what it does depends on stdin). A
daemon thread calls ``input()`` so that an operator can type "cancel". The
downloads go through a ThreadPoolExecutor and every result is returned, but
download_all never stops the console thread. When stdin is a terminal or an
open pipe with no data, the thread is still blocked in ``input()`` after
download_all returns. When stdin is at end of file (``< /dev/null``, or a
closed pipe) ``input()`` raises EOFError at once and the thread ends.

Today (frozen copy, measured): with stdin at EOF (/dev/null) every invariant
holds (true there). With stdin an open, silent pipe: no answer within 120 s,
even on tiny; with `--runs 3`, `terminates` FAIL (the wrong invariant; true is
`clean_shutdown`): "infinite loop ... Spin: Thread-1 (console) ... at
stdin_operator_prompt.py:29". Threads runtime (tiny, open pipe):
`clean_shutdown` (true).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "stdin_operator_prompt"
ORIGIN = "Written for the trust corpus: an input() console thread for cancelling, never stopped."
# With stdin open and silent (how tests/test_corpus.py runs it) the controlled runtime
# names the blocking call instead of judging; with stdin at EOF every invariant holds.
NOT_MODELLED = "input()"
STDIN = "open and silent"
BREAKS = {
    "clean_shutdown": "only when stdin is open and silent (a terminal, an idle pipe): the console thread is still blocked in input() after download_all returns; with stdin at EOF, input() raises EOFError and the thread ends",
}


def download_all(urls, fetch, limit):
    cancel = threading.Event()

    def console():
        try:
            if input().strip() == "cancel":
                cancel.set()
        except EOFError:
            pass

    threading.Thread(target=console, daemon=True).start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    return results
