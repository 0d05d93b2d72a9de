"""The package root exports exactly its ``__all__``, and the library call works."""

from __future__ import annotations

import threading

import pytest

import interlock


def test_all_names_resolve():
    for name in interlock.__all__:
        assert getattr(interlock, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        interlock.nope  # noqa: B018


def test_run_controlled_returns_and_raises():
    def spawn_and_join():
        seen = []
        worker = threading.Thread(target=lambda: seen.append(threading.current_thread().name))
        worker.start()
        worker.join()
        return seen

    (name,) = interlock.run_controlled(spawn_and_join, seed=1)
    assert name.startswith("Thread-1")  # names restart at 1 in every run

    def deadlock():
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()

    with pytest.raises(interlock.RunStopped, match="(?i)deadlock"):
        interlock.run_controlled(deadlock)
