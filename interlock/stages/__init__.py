"""The stages a verification is made of, each taking and returning values.

- ``explore``: a subject on scenarios, many schedules each, checked; what was
  found per invariant (the first violation on the smallest scenario).
- ``generate``: Hypothesis searching scenarios for a violation, and shrinking it.
- ``minimise``: a violation's schedule cut to the shortest prefix that still
  shows it, then replayed to prove it is deterministic.

The conductor (``interlock.verify``) composes them.
"""

from __future__ import annotations

from .explore import Found, explore_scenario, keep, scenario_key, size_key
from .generate import Generated, generate
from .minimise import Minimal, minimise

__all__ = [
    "Found",
    "Generated",
    "Minimal",
    "explore_scenario",
    "generate",
    "keep",
    "minimise",
    "scenario_key",
    "size_key",
]
