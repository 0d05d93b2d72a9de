"""A name of its own for each thread of a run, as a reader tells them apart.

CPython lets threads share a name: ``Thread(target=work, name="worker")`` in a
loop makes ten threads all called ``worker``. Every record of a run (download
events, where each thread was, the steps of an explanation, a crash) names
threads by a string, so two threads under one name would draw as one lane and
list as one thread, and a reader could not tell which started what. A run's
``ThreadNames`` gives each thread its own name: the first thread seen under a
name keeps it, a later one with the same name is ``worker#2``, then ``worker#3``
(a ``#`` number already taken by some other thread is skipped). A thread renamed
later (``current_thread().name = ...`` inside its work) is named afresh from its
new name; the names it had stay its own, so no other thread ever reads as it.

Under the controlled runtime the numbers follow start order (the run's names are
given the threads in that order); with real threads, the order each thread is
first seen. Threads are told apart by identity (a ``Thread`` subclass
may make every instance equal to every other), and each is kept until the names are
dropped with the run, so an ``id`` is never read for two threads.
"""

from __future__ import annotations

import _thread

__all__ = ["ThreadNames"]

# Made at import, before any run patches the primitives: naming a thread is
# interlock's work, and must never be a scheduling point of the run.
_allocate_lock = _thread.allocate_lock


class ThreadNames:
    """``of(thread)``: the name that thread goes by in this run's records.

    ``threads`` maps the ``id`` of each thread kept to the thread, in the order
    they were kept: the controlled runtime keeps each as it starts (one dict store,
    no call), so the numbers follow start order, and the downloader's log can name
    a thread by its ``id``. Names are given when first asked for, to every thread
    kept by then, in that order. With real threads (``locked``), which may first
    download at the same moment, keeping and naming take a lock."""

    __slots__ = ("_given", "_holders", "_lock", "threads")

    def __init__(self, *, locked: bool = True) -> None:
        self.threads: dict[int, object] = {}
        self._given: dict[int, tuple[str, str]] = {}  # id -> (the name it had, its own)
        self._holders: dict[str, int] = {}  # a name given -> id of the thread it names
        self._lock = _allocate_lock() if locked else None

    def keep(self, thread) -> None:
        """Name ``thread`` in this run (its ``id`` then names it alone)."""
        if self._lock is None:
            self.threads.setdefault(id(thread), thread)
        else:
            with self._lock:
                self.threads.setdefault(id(thread), thread)

    def of(self, thread) -> str:
        """``thread``'s name in this run, told apart from every other thread's."""
        key = id(thread)
        if key not in self.threads:
            self.keep(thread)
        return self.of_ids((key,))[key]

    def of_ids(self, keys) -> dict[int, str]:
        """id -> name, for the ``id`` of threads kept (a trace's, once a read)."""
        if self._lock is None:
            return self._of_ids(keys)
        with self._lock:
            return self._of_ids(keys)

    def _of_ids(self, keys) -> dict[int, str]:
        threads, given = self.threads, self._given
        if len(given) < len(threads):  # name every thread kept since, in order
            for key, thread in list(threads.items())[len(given) :]:
                try:
                    self._give(key, _name(thread))
                except Exception:  # noqa: BLE001 - a half-built Thread subclass
                    self._give(key, f"thread-{len(given) + 1}")
        names = {}
        for key in keys:
            had, own = given[key]
            name = getattr(threads[key], "_name", None)
            if name != had:
                try:
                    name = _name(threads[key])
                except Exception:  # noqa: BLE001 - a half-built Thread subclass
                    name = had
                if name != had:
                    own = self._give(key, name)
            names[key] = own
        return names

    def _give(self, key: int, name: str) -> str:
        holders = self._holders
        label = name
        if holders.get(label, key) != key:
            n = 2
            label = f"{name}#2"
            while holders.get(label, key) != key:
                n += 1
                label = f"{name}#{n}"
        holders[label] = key
        self._given[key] = (name, label)
        return label


def _name(thread) -> str:
    """``thread.name``: what CPython's property returns, read without calling it."""
    name = getattr(thread, "_name", None)
    return name if type(name) is str else thread.name
