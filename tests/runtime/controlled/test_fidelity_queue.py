"""CPython's own ``test.test_queue`` run on the controlled scheduler.

The Queue, LifoQueue, PriorityQueue, FailingQueue and SimpleQueue test classes
run every test method as the main thread of one controlled run (seeded random
schedule). The queue under test, its ``setUp`` and every thread the test starts
live inside the run, so:

- ``Queue``/``LifoQueue``/``PriorityQueue`` are the stdlib's pure-Python classes
  on the modelled ``Lock`` (their ``Condition``s are pure Python too), and their
  timeouts read the virtual clock (the patches swap ``queue.time``);
- ``PySimpleQueueTest`` checks ``queue._PySimpleQueue`` (a ``Semaphore`` and a
  deque), i.e. the modelled lock again;
- ``CSimpleQueueTest`` checks what replaces the C ``_queue.SimpleQueue`` inside a
  run: the engine's own ``SimpleQueue`` model. This is the test that says the
  model keeps the C type's contract.

``test_queue`` builds two fresh copies of the module at import (``py_queue`` with
``_queue`` blocked, ``c_queue`` with it fresh). The patches swap names in the
``queue`` module everyone imports, not in those copies (whose ``time`` is the
real clock and whose ``SimpleQueue`` is a second, unpatched C type), so every
class here is pointed at the ``queue`` module itself. The ``Queue`` classes are
the same pure-Python code in both copies, so only the ``Py`` variants of those
run; the C/Py split matters only for ``SimpleQueue``, where both run.

Every run must end with main returned, no helper thread left alive and no
uncaught exception in a helper thread. Skipped when the interpreter has no
``test`` package. Exclusions are listed in ``EXCLUDED`` with the reason for each.
"""

from __future__ import annotations

import queue
import sys

import pytest

from interlock.runtime.controlled import run_controlled_ex
from tests.runtime.controlled._fidelity import controlled_test, make_controlled_class

test_queue = pytest.importorskip("test.test_queue")

# name -> why it does not run on the controlled scheduler (none of these is a wrong answer).
EXCLUDED: dict[str, str] = {}

# (class name, test name) -> reason, for exclusions that apply to one class only.
EXCLUDED_IN_CLASS: dict[tuple[str, str], str] = {}
if "coverage" in sys.modules:  # measured by coverage.py (tox -e coverage)
    # The test puts from __del__ hooks that the garbage collector runs; the tracer's own
    # allocations move those collections, and the items arrive out of the order the test
    # expects. It passes in every plain run (py310 to py313).
    for _cls in ("CSimpleQueueTest", "PySimpleQueueTest"):
        EXCLUDED_IN_CLASS[(_cls, "test_reentrancy")] = "gc timing differs under coverage tracing"

SEEDS = (0, 1)

# Tests that take seconds per run (10 000 items through 100 threads, 20 full garbage
# collections in a large pytest session, the 3.13 shutdown stress tests): they run under
# the first seed only, to keep the file under a minute. Under the other seeds they are
# reported as skipped, with that reason.
HEAVY = frozenset(
    {
        "test_many_threads",
        "test_many_threads_nonblock",
        "test_many_threads_timeout",
        "test_references",
        # 3.13+: 65 536 messages through 12 threads polling get(block=False).
        "test_shutdown_all_methods_in_many_threads",
        "test_shutdown_immediate_all_methods_in_many_threads",
    }
)


def _controlled(method, seed, set_up):
    return controlled_test(
        method, seed, set_up, max_steps=5_000_000, spin_limit=5.0, check_threads=True
    )


def _no_set_up(self) -> None:
    """Outside the run, nothing: the class's own setUp runs inside it."""


def _make(base, seed):
    own_set_up = base.setUp

    def skip_reason(name):
        reason = EXCLUDED.get(name) or EXCLUDED_IN_CLASS.get((base.__name__, name))
        if not reason and name in HEAVY and seed != SEEDS[0]:
            reason = f"heavy: runs under seed {SEEDS[0]} only"
        return reason

    return make_controlled_class(
        base,
        seed,
        {"queue": queue, "setUp": _no_set_up},
        lambda method: _controlled(method, seed, own_set_up),
        skip_reason,
    )


_BASES = [
    test_queue.PyQueueTest,
    test_queue.PyLifoQueueTest,
    test_queue.PyPriorityQueueTest,
    test_queue.PyFailingQueueTest,
    test_queue.PySimpleQueueTest,
]
if test_queue.c_queue is not None:
    # Without _queue there is no C SimpleQueue to stand in for.
    _BASES.append(test_queue.CSimpleQueueTest)

for _seed in SEEDS:
    for _base in _BASES:
        _cls = _make(_base, _seed)
        globals()[_cls.__name__] = _cls
del _base, _cls, _seed


def test_exclusions_are_few():
    """The fidelity claim is only as good as what it leaves out."""
    assert len(EXCLUDED) + len(EXCLUDED_IN_CLASS) <= 5, sys.version


@pytest.mark.skipif(test_queue.c_queue is None, reason="no _queue module: no C SimpleQueue")
def test_the_c_simple_queue_under_test_is_the_model():
    """CSimpleQueueTest inside a run checks the engine's model, not the real C type."""
    case = test_queue.CSimpleQueueTest("test_basic")
    case.queue = queue

    def made_in_a_run():
        test_queue.CSimpleQueueTest.setUp(case)
        return type(case.q)

    made = run_controlled_ex(made_in_a_run).unwrap()
    assert made is not test_queue.c_queue.SimpleQueue
    assert made.__module__.startswith("interlock."), made


def test_a_wrong_queue_fails_the_wrapped_test():
    """The wrapper passes the stdlib test's failure on: a LIFO 'SimpleQueue' is caught."""
    base = test_queue.PySimpleQueueTest

    def lifo_set_up(self) -> None:
        self.type2test = queue.LifoQueue  # has SimpleQueue's methods, the wrong order
        self.q = self.type2test()

    case = _make(base, SEEDS[0])("test_basic")
    wrapped = _controlled(base.test_basic, SEEDS[0], lifo_set_up)
    with pytest.raises(AssertionError, match="4 != 1|1 != 4"):
        wrapped(case)
