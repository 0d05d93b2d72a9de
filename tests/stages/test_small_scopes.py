"""Small scopes: the boundary scenarios generated search tries before drawing any."""

from __future__ import annotations

import pytest

from interlock.models import Budget
from interlock.scenarios.small import small_scopes
from interlock.stages import size_key
from interlock.verify import Verifier
from tests.kit import subject

pytestmark = pytest.mark.timeout(120)


def test_small_scopes_come_smallest_first_and_cover_each_boundary():
    scopes = small_scopes()
    assert scopes == sorted(scopes, key=size_key)
    assert len(set(scopes)) == len(scopes)
    assert all(len(s.tasks) <= 5 and s.limit <= 3 for s in scopes)
    shapes = {(len(s.tasks), s.limit, sum(t.fails for t in s.tasks)) for s in scopes}
    assert (0, 1, 0) in shapes  # nothing to download
    assert (1, 1, 1) in shapes  # a failure alone
    assert {(limit + 1, limit, 0) for limit in (1, 2, 3)} <= shapes  # one over the limit
    for limit in (1, 2, 3):  # a slow first URL, one more than the limit behind it
        assert any(
            s.limit == limit
            and len(s.tasks) == limit + 2
            and s.tasks[0].duration > max(t.duration for t in s.tasks[1:])
            for s in scopes
        )


def stops_at_the_first_failure(urls, fetch, limit):
    """Serial, and gives up silently at the first failing URL: what follows it is lost."""
    results = []
    for url in urls:
        try:
            results.append(fetch(url))
        except Exception as exc:
            results.append(exc)
            break
    return results


def test_a_bug_at_a_boundary_is_found_on_its_small_scope_before_any_draw():
    # Two draws of Hypothesis are unlikely to put a success after a failure; the
    # small scope "a failure before a success" does, on its first run.
    budget = Budget(runs=1, generated=2, generated_runs=1, shrink_calls=2)
    report = Verifier(budget=budget, seed=5).verify(
        subject(stops_at_the_first_failure), [], generate=True
    )
    assert "no_lost_results" in report.broken()
    assert (
        "no_lost_results broken on a small scope: small_scope: 2 URLs, limit 1, 1 failing"
        in report.notes
    )
