"""A control thread blocked in ``socket.recv`` for a message sent to the wrong end.

Class 5 (an unmodelled blocking call that never returns: a real hang). A
control thread listens on end ``a`` of a ``socket.socketpair()`` for "stop"
(a way to cancel the downloads from outside). When the downloads are done,
download_all means to tell it to stop, but it sends on ``a`` too, so the
bytes arrive at ``b``, which nobody reads; the listener stays blocked in
``recv`` and download_all, joining it, never returns. No Python-level lock or
queue is involved: the wait is inside the socket.

Today (frozen copy, measured): no answer within 120 s, even on tiny; with
`--runs 3`, `terminates` FAIL (true), as a spin: "infinite loop: MainThread at
socket_recv_wrong_end.py:33 ... Spin: Thread-1 (listen) ran for more than 1s
of real time without reaching a scheduling point", naming file:line but not
the recv call (5.9 s). Threads runtime (tiny): `terminates` (true).
"""

import socket
import threading
from concurrent.futures import ThreadPoolExecutor

NAME = "socket_recv_wrong_end"
ORIGIN = "Written for the trust corpus: a socketpair control channel whose stop message is sent on the listener's own end."
BREAKS = {
    "terminates": "the listener waits in a.recv() while the stop message goes out on a (arriving at b, never read); download_all joins the listener and never returns",
}
# What the controlled runtime cannot model here (it says so, naming it, instead of
# judging): checked by tests/test_corpus.py.
NOT_MODELLED = "socket.recv"


def download_all(urls, fetch, limit):
    a, b = socket.socketpair()

    def listen():
        while a.recv(16) not in (b"stop", b""):
            pass

    listener = threading.Thread(target=listen)
    listener.start()
    results = []
    with ThreadPoolExecutor(max_workers=limit) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        for f in futures:
            exc = f.exception()
            results.append(exc if exc is not None else f.result())
    a.sendall(b"stop")  # the bug: should be b.sendall
    listener.join()
    a.close()
    b.close()
    return results
