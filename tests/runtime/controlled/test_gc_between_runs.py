"""Garbage collection never runs inside a controlled run, so it cannot add scheduling points."""

from __future__ import annotations

import gc
import threading

import pytest

from interlock.runtime.controlled import Engine
from interlock.runtime.strategies import make_strategy

pytestmark = pytest.mark.timeout(60)


class Litter:
    """A cycle whose finalizer takes a modelled lock: a scheduling point if run in a run."""

    finalized_in: list = []

    def __init__(self, lock) -> None:
        self.lock = lock
        self.me = self

    def __del__(self) -> None:
        with self.lock:
            Litter.finalized_in.append(threading.current_thread().name)


def leave_litter() -> None:
    lock = threading.Lock()  # modelled: made inside the run
    for _ in range(50):
        Litter(lock)


def busy() -> None:
    gc.set_threshold(1)  # from here any allocation may start a collection
    counter = threading.Lock()
    total = []

    def work(i):
        for _ in range(20):
            with counter:
                total.append([i] * 8)  # allocates: lets a low threshold trigger a collection

    threads = [threading.Thread(target=work, args=(i,), name=f"w{i}") for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def decisions_of_busy(engine: Engine) -> tuple[int, ...]:
    strategy = make_strategy("random", 11)
    strategy.new_execution()
    threshold = gc.get_threshold()
    try:
        return engine.run(busy, strategy=strategy, main_name="runner").decisions
    finally:
        gc.set_threshold(*threshold)


def test_finalizers_of_earlier_garbage_do_not_change_a_run():
    engine = Engine()
    Litter.finalized_in.clear()
    gc.collect()
    baseline = decisions_of_busy(engine)
    with engine.session():
        litter = make_strategy("random", 1)
        litter.new_execution()
        engine.run(leave_litter, strategy=litter, main_name="litterer")
        again = decisions_of_busy(engine)
    gc.collect()
    assert again == baseline
    # All the litter was finalized, and never inside a run's thread.
    assert len(Litter.finalized_in) == 50
    assert not {"runner", "w0", "w1", "w2", "litterer"} & set(Litter.finalized_in)
