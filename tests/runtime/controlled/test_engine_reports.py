"""What a stopped controlled run says about each thread, and why it stopped.

``test_engine_behaviour.py`` covers a lock cycle and a consumer left without a
producer. These are the other waits a report names from the objects
themselves (RLock owner, semaphore value, barrier count, a lock whose holder
has ended, a stdlib function, a timed wait) and the stops that come after
``download_all`` returned (virtual-time grace, step budget).
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time

import pytest

from interlock.runtime.controlled import run_controlled_ex
from tests.kit import FirstRunnable

pytestmark = pytest.mark.timeout(60)


def stopped(main, **options):
    """The execution of ``main`` under FirstRunnable (one fixed schedule)."""
    return run_controlled_ex(main, strategy=FirstRunnable(), **options).execution


def waits(ex) -> dict[str, str | None]:
    """What each thread still alive at the stop waits on."""
    return {s.name: s.waiting_on for s in ex.blocked if s.alive}


def start(target, name: str, *args) -> threading.Thread:
    thread = threading.Thread(target=target, name=name, args=args)
    thread.start()
    return thread


class TestWhatAThreadWaitsOn:
    """Each wait is named with the state of the object waited on."""

    def test_rlock_names_its_owner(self):
        def main():
            rlock = threading.RLock()
            owner_has_it = threading.Event()

            def owner():
                rlock.acquire()
                owner_has_it.set()
                threading.Event().wait()  # keeps it forever

            start(owner, "owner")
            owner_has_it.wait()
            rlock.acquire()

        ex = stopped(main)
        assert ex.stop == "deadlock"
        assert waits(ex) == {"MainThread": "RLock.acquire: held by owner", "owner": "Event.wait"}
        assert "no live thread can set the event" in ex.diagnosis

    def test_semaphore_shows_its_value(self):
        def main():
            slots = threading.Semaphore(1)
            slots.acquire()
            slots.acquire()

        ex = stopped(main)
        assert waits(ex) == {"MainThread": "Semaphore.acquire: value 0"}
        where = ex.blocked[0].where
        assert where.startswith("test_engine_reports.py:") and where.endswith(" in main")
        assert ex.diagnosis.endswith(
            f"MainThread is blocked in Semaphore.acquire: value 0 at {where}; "
            "no live thread can release it: no thread has exited."
        )

    def test_barrier_counts_who_is_waiting(self):
        def main():
            threading.Barrier(2).wait()

        ex = stopped(main)
        assert waits(ex) == {"MainThread": "Barrier.wait: 1 of 2 waiting"}
        assert "no live thread can reach the barrier" in ex.diagnosis

    def test_a_lock_whose_holder_has_ended(self):
        def main():
            lock = threading.Lock()
            grabber = start(lock.acquire, "grabber")
            grabber.join()
            lock.acquire()

        ex = stopped(main)
        assert waits(ex) == {"MainThread": "Lock.acquire: held by grabber, which has ended"}
        assert "grabber has ended without releasing what it held" in ex.diagnosis

    def test_a_stdlib_function_is_named_by_its_module(self):
        def main():
            never = concurrent.futures.Future()
            concurrent.futures.wait([never])

        ex = stopped(main)
        assert waits(ex) == {"MainThread": "concurrent.futures._base.wait"}

    def test_a_thread_started_on_a_primitive_method_is_named_by_that_method(self):
        # No subject frame in these threads: the method they were started on is the
        # operation, not the Condition's waiter lock it holds itself.
        def main():
            start(queue.Queue().get, "getter")
            start(threading.Event().wait, "waiter")
            gate = threading.Lock()
            gate.acquire()
            start(gate.acquire, "locker")
            threading.Event().wait()

        ex = stopped(main)
        assert ex.stop == "deadlock"
        found = waits(ex)
        assert found["getter"] == "Queue.get: queue empty"
        assert found["waiter"] == "Event.wait"
        assert found["locker"] == "Lock.acquire: held by MainThread"
        where = {s.name: s.where for s in ex.blocked}
        assert where["getter"].startswith("queue.py:")
        assert "itself" not in ex.diagnosis

    def test_a_timed_wait_shows_when_it_times_out(self):
        def main():
            inbox = queue.Queue()
            while True:
                try:
                    inbox.get(timeout=5)
                except queue.Empty:
                    pass

        ex = stopped(main, time_limit=12)
        assert ex.stop == "timeout"
        assert waits(ex) == {"MainThread": "Queue.get: queue empty (timeout at t=15.000s)"}
        assert ex.diagnosis.startswith(
            "Timeout: virtual time would pass 12s before main returned (now t=10.000s)."
        )


class TestAfterMainReturned:
    """Threads left behind are judged after main returns, within a grace of virtual time."""

    def test_a_sleeper_outlives_the_grace(self):
        def main():
            start(lambda: [time.sleep(1) for _ in iter(int, 1)], "sleeper")
            return "returned"

        ex = stopped(main, grace=5)
        assert ex.main_done and ex.result == "returned"
        assert ex.stop == "timeout"
        assert ex.notes == ("after main returned: timeout (virtual time would pass 5s)",)
        assert [s.name for s in ex.leftover] == ["sleeper"]
        assert ex.diagnosis.startswith(
            "Left behind after main returned: sleeper still time.sleep: until t=6.000s"
        )
        assert ex.diagnosis.endswith(
            "5s of virtual time after main returned: the process would hang at exit."
        )

    def test_a_daemon_that_never_stops_yielding(self):
        def main():
            busy = threading.Thread(target=lambda: [time.sleep(0) for _ in iter(int, 1)])
            busy.name, busy.daemon = "busy", True
            busy.start()
            return "returned"

        ex = stopped(main, max_steps=300)
        assert ex.main_done and ex.stop == "step_budget"
        assert ex.notes == (
            "after main returned: step_budget (more than 300 scheduling steps without "
            "virtual time passing (at t=0.000s))",
        )
        assert ex.diagnosis.startswith(
            "Left behind after main returned: busy (daemon: killed at exit) never "
            "stopped (more than 300 scheduling steps without virtual time passing"
        )
        assert "would hang at exit" not in ex.diagnosis

    def test_a_thread_blocked_for_good_is_not_a_deadlock_of_the_run(self):
        def main():
            inbox = queue.Queue()
            start(lambda: inbox.get(), "stranded")
            return "returned"

        ex = stopped(main)
        assert ex.stop == "ended"  # main is done: what is left can never run again
        assert ex.blocked == ()
        assert [(s.name, s.waiting_on) for s in ex.leftover] == [
            ("stranded", "Queue.get: queue empty")
        ]
        assert "stranded blocked forever in Queue.get: queue empty" in ex.diagnosis
