"""Hypothesis strategies that generate scenarios, built to shrink to readable ones.

Hypothesis shrinks what it drew toward "simpler" choices: shorter lists,
smaller integers, earlier elements of ``sampled_from``. So every choice here is
laid out with the plainest value first:

- the limit is an integer from 1, so it shrinks toward 1;
- the tasks are a list, so it shrinks toward fewer URLs; URLs are named by
  position (``u0``, ``u1``, ...), so they stay unique and short whatever is
  removed;
- a duration is usually one of a few small values (ties are common, which is
  where ordering bugs hide), first of them 1, then 0; only now and then is it
  any millisecond count up to 20 s, and that branch shrinks back to the common
  values;
- a failure is rare and shrinks toward "does not fail".

A "more than limit in flight" counterexample then ends at about two 1 s
downloads with limit 1.
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from ..models import Scenario, TaskSpec

__all__ = ["COMMON_DURATIONS", "scenarios"]

# Shrinking prefers earlier entries: 1 s first reads better in a report than 0.
COMMON_DURATIONS: tuple[float, ...] = (1.0, 0.0, 2.0, 3.0)

_RARE_DURATION_MS = 20_000  # upper end of the occasional "any duration" branch
_ODDS = 8  # 1 in _ODDS durations is a rare one; about 1 in _ODDS tasks fails


def scenarios(
    max_urls: int = 50,
    max_limit: int = 8,
    *,
    min_urls: int = 0,
    min_limit: int = 1,
    durations: Sequence[float] = COMMON_DURATIONS,
    failures: bool = True,
    name: str = "generated",
    seed: int = 0,
) -> st.SearchStrategy[Scenario]:
    """Scenarios with ``min_urls``..``max_urls`` URLs and a limit in ``min_limit``..``max_limit``.

    ``durations`` are the common values (the first is the one shrinking aims
    for); ``failures=False`` makes every download succeed.
    """
    _check_range("urls", min_urls, max_urls, lowest=0)
    _check_range("limit", min_limit, max_limit, lowest=1)
    durations = tuple(durations)
    if not durations or any(
        isinstance(d, bool) or not isinstance(d, (int, float)) or not 0 <= d < float("inf")
        for d in durations
    ):
        msg = f"'durations' must be a non-empty sequence of finite numbers >= 0 (got {durations!r})"
        raise ValueError(msg)
    if not isinstance(failures, bool):
        msg = f"'failures' must be true or false (got {failures!r})"
        raise TypeError(msg)
    task_shapes = _task_shapes(durations, failures)
    return st.builds(
        _assemble,
        name=st.just(name),
        seed=st.just(seed),
        limit=st.integers(min_limit, max_limit),
        shapes=st.lists(task_shapes, min_size=min_urls, max_size=max_urls),
    )


def _check_range(what: str, low: object, high: object, *, lowest: int) -> None:
    for key, value in ((f"min_{what}", low), (f"max_{what}", high)):
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
            msg = f"{key!r} must be an integer >= {lowest} (got {value!r})"
            raise ValueError(msg)
    if high < low:
        msg = f"'max_{what}' must be >= 'min_{what}' ({low!r}) (got {high!r})"
        raise ValueError(msg)


def _task_shapes(
    durations: tuple[float, ...], failures: bool
) -> st.SearchStrategy[tuple[float, bool]]:
    @st.composite
    def shape(draw) -> tuple[float, bool]:
        # A small integer picks the branch, so shrinking it lands on the common one (0).
        if draw(st.integers(0, _ODDS - 1)) < _ODDS - 1:
            duration = float(draw(st.sampled_from(durations)))
        else:
            duration = draw(st.integers(0, _RARE_DURATION_MS)) / 1000
        # Fail only on the top value, so shrinking toward 0 means "succeeds".
        fails = failures and draw(st.integers(0, _ODDS - 1)) == _ODDS - 1
        return duration, fails

    return shape()


def _assemble(name: str, seed: int, limit: int, shapes: list[tuple[float, bool]]) -> Scenario:
    tasks = tuple(
        TaskSpec(url=f"u{i}", duration=duration, fails=fails)
        for i, (duration, fails) in enumerate(shapes)
    )
    return Scenario(name=name, tasks=tasks, limit=limit, seed=seed)
