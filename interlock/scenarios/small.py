"""Small scopes: the few smallest scenarios at the contract's boundaries, tried first.

Most bugs of a bounded pool show on a scenario of a handful of URLs, and the
boundaries of ``download_all(urls, fetch, limit)`` are where they show first:
no URL at all, one URL, one URL more than the limit at the smallest limits, a
failure alone and a failure before a success, and a slow first URL with URLs
queued behind it (so that the order downloads finish in is not the order of the
URLs, and a pool that waits for the first leaves slots idle). Generated search
tries these before drawing at random (``stages.generate``): each costs a few
schedules, and what one breaks is already as small as shrinking would make it.

The list is fixed and small on purpose; it is the same for every subject and
every seed, so what it finds is found the same way each time.
"""

from __future__ import annotations

from ..models import Scenario, TaskSpec

__all__ = ["small_scopes"]

_NAME = "small_scope"


def _scenario(limit: int, *shapes: tuple[float, bool]) -> Scenario:
    tasks = tuple(
        TaskSpec(url=f"u{i}", duration=duration, fails=fails)
        for i, (duration, fails) in enumerate(shapes)
    )
    return Scenario(name=_NAME, tasks=tasks, limit=limit)


_OK, _FAILS, _SLOW = (1.0, False), (1.0, True), (2.0, False)


def small_scopes() -> list[Scenario]:
    """The boundary scenarios, smallest first (fewer URLs, then a smaller limit).

    For each of the limits 1, 2 and 3: one URL more than the limit, and a slow first
    URL with one more than the limit queued behind it (a pool that waits for the
    slow one leaves slots idle while URLs wait); then nothing at all, one URL, a
    failure alone and a failure before a success.
    """
    scopes = [_scenario(1), _scenario(1, _OK), _scenario(1, _FAILS), _scenario(1, _FAILS, _OK)]
    for limit in (1, 2, 3):
        scopes.append(_scenario(limit, *[_OK] * (limit + 1)))
        scopes.append(_scenario(limit, _SLOW, *[_OK] * (limit + 1)))
    return sorted(scopes, key=lambda s: (len(s.tasks), s.limit, sum(t.fails for t in s.tasks)))
