"""Both runtimes refuse bad settings the same way: one line naming the value, an
``InvalidSetting`` that is an ``InterlockError`` and a ``ValueError``."""

from __future__ import annotations

import pytest

from interlock.models import InterlockError, InvalidSetting, Settings
from interlock.runtime import make_runtime
from interlock.runtime.controlled import ControlledRuntime, run_controlled_ex
from interlock.runtime.threads import ThreadsRuntime


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: ControlledRuntime(max_steps=0),
            r"^'max_steps' must be an integer >= 1 \(got 0\)$",
        ),
        (lambda: ControlledRuntime(spin_limit=0), r"^'spin_limit' must be > 0 seconds \(got 0\)$"),
        (lambda: ControlledRuntime(strategy="sideways"), r"^unknown strategy 'sideways'"),
        (lambda: ThreadsRuntime(scale=0), r"^'scale' must be a number > 0 \(got 0\)$"),
        (lambda: ThreadsRuntime(grace=-1), r"^'grace' must be None or a number >= 0"),
        (
            lambda: make_runtime(Settings(runtime="os")),
            r"^unknown runtime 'os' \(choose controlled or threads\)$",
        ),
        (lambda: Settings(seed="x"), r"^'seed' must be an integer \(got 'x'\)$"),
        (lambda: Settings(time_scale=0), r"^'time_scale' must be a number > 0 \(got 0\)$"),
    ],
)
def test_bad_settings_fail_in_one_line(make, message):
    with pytest.raises(InvalidSetting, match=message) as info:
        make()
    assert isinstance(info.value, InterlockError) and isinstance(info.value, ValueError)


def test_run_controlled_ex_keeps_the_exception():
    def boom():
        raise KeyError("x")

    result = run_controlled_ex(boom, seed=2)
    assert isinstance(result.exception, KeyError)
    with pytest.raises(KeyError):
        result.unwrap()
    assert run_controlled_ex(lambda: 7).unwrap() == 7


def test_run_controlled_takes_the_clis_strategy_specs():
    assert run_controlled_ex(lambda: 7, strategy="pct:2").unwrap() == 7
    with pytest.raises(InvalidSetting, match="unknown strategy 'nope'"):
        run_controlled_ex(lambda: 7, strategy="nope")
