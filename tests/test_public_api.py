"""Every package exports exactly its public names, and the library calls work."""

from __future__ import annotations

import importlib
import pkgutil
import threading

import pytest

import interlock

# Every package of interlock with a public face (its __init__ holds __all__).
PACKAGES = sorted(
    ["interlock"]
    + [
        info.name
        for info in pkgutil.walk_packages(interlock.__path__, "interlock.")
        if info.ispkg and not info.name.rsplit(".", 1)[-1].startswith("_")
    ]
)


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_exactly_the_public_names(name):
    """``__all__`` lists every public name the package binds, and nothing else: no
    submodule, no name imported only for use inside (``annotations``)."""
    package = importlib.import_module(name)
    if name == "interlock":  # lazy: names resolve on first use
        for exported in interlock.__all__:
            assert getattr(interlock, exported) is not None
        with pytest.raises(AttributeError, match="has no attribute 'nope'"):
            interlock.nope  # noqa: B018
        return
    if name == "interlock.implementations":  # subjects are modules, found by the catalogue
        assert getattr(package, "__all__", []) == []
        return
    submodules = {info.name for info in pkgutil.iter_modules(package.__path__)}
    public = {
        n
        for n, value in vars(package).items()
        if not n.startswith(("_", "@"))  # "@"-names: pytest's assertion rewriting
        and n not in submodules
        and n != "annotations"
    }
    assert sorted(package.__all__) == sorted(public), name
    assert len(set(package.__all__)) == len(package.__all__)


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
