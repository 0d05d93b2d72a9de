"""Functions the docs explore (docs/use-explore.md); tests/test_docs.py runs them."""

import threading


class Counter:
    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()

    def add(self):
        seen = self.value
        with self.lock:  # guards the write, not the read: an update can be lost
            self.value = seen + 1


def lost_update():
    counter = Counter()
    threads = [threading.Thread(target=counter.add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert counter.value == 2, f"lost an update: {counter.value}"


def plain_lines():
    box = {"n": 0}

    def add():
        seen = box["n"]
        box["n"] = seen + 1

    threads = [threading.Thread(target=add) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert box["n"] == 2, f"lost an update: {box['n']}"
