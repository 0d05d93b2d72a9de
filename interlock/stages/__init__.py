"""The stages a verification is made of, each taking and returning values.

- ``explore``: a subject on scenarios, many schedules each, checked; what was
  found per invariant (the first violation on the smallest scenario).
- ``generate``: Hypothesis searching scenarios for a violation, and shrinking it.
- ``minimise``: a violation's schedule cut to the shortest prefix that still
  shows it, then replayed to prove it is deterministic.

The conductor (``interlock.verify``) composes them.
"""

from __future__ import annotations

from ._explore import Found, Scouted, explore_scenario, keep, scenario_key, size_key
from ._generate import Generated, generate
from ._minimise import Minimal, minimise, shortest_prefix, shrink_scenario

__all__ = [
    "Found",
    "Generated",
    "Minimal",
    "Scouted",
    "explore_scenario",
    "generate",
    "keep",
    "minimise",
    "shortest_prefix",
    "shrink_scenario",
    "scenario_key",
    "size_key",
]
