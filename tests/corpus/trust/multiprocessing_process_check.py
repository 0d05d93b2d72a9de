"""One ``multiprocessing.Process`` checks the payload sizes and answers over a Pipe.

Class 6 (processes, used correctly). The downloads run on ``limit`` plain
threads that take URL indices from a queue with end markers. Then one child
process gets the payload sizes (a list of ints), adds them up and sends the
total back over a ``multiprocessing.Pipe``; download_all receives it, joins
the child and checks the total against its own. A child that cannot answer
would make ``recv`` raise EOFError (the child's end is closed in the parent),
not hang.

Today (frozen copy, measured): no answer: a fork bomb. Every forked child
carries on as a copy of ``interlock verify`` and prints its own report (931
JSON reports in 60 s with `--runs 3`); about 50 new processes a second, about
3000 alive after 58 s. The reports say "NONDETERMINISTIC: download_all raised
ProcessExit: os._exit(0) called in MainThread at
multiprocessing_process_check.py:51" and/or "infinite loop: Thread-1 (work)".
Threads runtime (tiny): all pass.
"""

import multiprocessing
import queue
import threading

NAME = "multiprocessing_process_check"
ORIGIN = "Written for the trust corpus: a thread pool, then one multiprocessing.Process that checks the sizes over a Pipe."
BREAKS = {}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "starts a process"


def total_size(sizes, conn):
    conn.send(sum(sizes))
    conn.close()


def download_all(urls, fetch, limit):
    todo = queue.Queue()
    results = [None] * len(urls)

    def work():
        while (i := todo.get()) is not None:
            try:
                results[i] = fetch(urls[i])
            except Exception as exc:
                results[i] = exc

    workers = [threading.Thread(target=work) for _ in range(limit)]
    for w in workers:
        w.start()
    for i in range(len(urls)):
        todo.put(i)
    for _ in workers:
        todo.put(None)
    for w in workers:
        w.join()
    sizes = [len(r) for r in results if isinstance(r, bytes)]
    mine, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=total_size, args=(sizes, theirs))
    child.start()
    theirs.close()
    total = mine.recv()
    child.join()
    mine.close()
    if total != sum(sizes):
        raise RuntimeError(f"size check failed: {total} != {sum(sizes)}")
    return results
