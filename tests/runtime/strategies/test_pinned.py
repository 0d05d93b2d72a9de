"""The promise "same arguments, same calls, same answers" holds across Pythons and releases.

The digests were computed on Python 3.10, 3.11, 3.12 and 3.13 alike. If one
changes, replay tokens recorded earlier no longer reproduce their runs: change
a digest only together with a note that old tokens are invalid.
"""

from __future__ import annotations

import hashlib

import pytest

from interlock.replay import encode_decisions
from interlock.runtime.strategies import make_strategy
from interlock.runtime.strategies._toy import ToyProgram

PROGRAM = ToyProgram.of(
    ["+m", "a", "-m", "z", "a"], ["b", "+m", "b", "-m"], ["c", "z", "c"], ["+m", "d", "-m"]
)


@pytest.mark.parametrize(
    ("spec", "count", "digest"),
    [
        ("random", 200, "3b94ded2e0be90ff"),
        ("pct:1", 200, "073888975f25d83c"),
        ("pct:3", 200, "c3fd1b931718daa9"),
        ("exhaustive:0", 24, "e1ff6001f324545d"),  # every schedule with no preemption
        ("exhaustive:2", 200, "6b12b2dc604186d9"),
    ],
)
def test_first_200_schedules_are_pinned(spec, count, digest):
    strategy = make_strategy(spec, 1)
    tokens = []
    while len(tokens) < 200 and strategy.new_execution():
        tokens.append(encode_decisions(PROGRAM.run(strategy).decisions))
    assert len(tokens) == count
    assert hashlib.sha256("|".join(tokens).encode()).hexdigest()[:16] == digest
