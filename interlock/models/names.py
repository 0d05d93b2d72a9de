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

    ``holders`` maps each name given to the ``id`` of the thread it names, so the
    common case, a thread under a name of its own, is one dict lookup a caller can
    make inline: ``holders.get(thread.name) == id(thread)``. The controlled runtime
    puts each thread there as it starts (a name already held is numbered then), so
    the numbers follow start order. Every thread named is kept until the names go
    with the run, so no other thread can come to have its ``id``. With real threads
    (``locked``), which may first download at the same moment, naming takes a lock.
    """

    __slots__ = ("_given", "_kept", "_lock", "holders")

    def __init__(self, *, locked: bool = True) -> None:
        self.holders: dict[str, int] = {}
        self._given: dict[int, tuple[str, str]] = {}  # id -> (a name it had, its own for it)
        self._kept: list = []
        self._lock = _allocate_lock() if locked else None

    def of(self, thread) -> str:
        """``thread``'s name in this run, told apart from every other thread's."""
        name = _name(thread)
        if self.holders.get(name) == id(thread):
            return name
        if self._lock is None:
            return self._give(thread, name)
        with self._lock:
            return self._give(thread, name)

    def _give(self, thread, name: str) -> str:
        key = id(thread)
        holders = self.holders
        holder = holders.get(name)
        if holder == key:
            return name
        if holder is None:
            holders[name] = key
            self._kept.append(thread)
            return name
        given = self._given.get(key)
        if given is not None and given[0] == name:
            return given[1]
        n = 2
        label = f"{name}#2"
        while holders.get(label, key) != key:
            n += 1
            label = f"{name}#{n}"
        holders[label] = key
        self._given[key] = (name, label)
        self._kept.append(thread)
        return label


def _name(thread) -> str:
    """``thread.name``: what CPython's property returns, read without calling it."""
    name = getattr(thread, "_name", None)
    return name if type(name) is str else thread.name
