"""Generate: Hypothesis looks for a scenario that breaks an invariant, and shrinks it.

Each round searches for a scenario breaking a (non-advisory) invariant no
generated scenario has broken yet, shrinks it to the smallest one Hypothesis
can find, and explores it again to keep what it shows; rounds go on until a
search finds nothing new. Every round's randomness is derived from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ..checkers import CHECKERS
from ..models import Budget, Scenario, derive_seed
from ._explore import Found, Scouted

__all__ = ["Generated", "generate"]


@dataclass
class Generated:
    """What the search found (first violations per invariant), the runs it took, and
    one note per round."""

    found: dict[str, Found] = field(default_factory=dict)
    runs: int = 0
    notes: list[str] = field(default_factory=list)


def generate(explore: Callable[[Scenario], Scouted], budget: Budget, seed: int) -> Generated:
    """Search with ``explore(scenario)`` as the test; ``budget.generated`` scenarios a round,
    ``budget.shrink_calls`` more to shrink."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import NoSuchExample

    from ..scenarios.strategies import scenarios as scenario_strategy

    result = Generated()
    covered: set[str] = set()  # invariants a generated scenario already broke
    limit_calls = budget.generated + budget.shrink_calls
    for round_ in range(len(CHECKERS)):
        calls = 0

        def violates(scenario: Scenario) -> bool:
            nonlocal calls
            calls += 1
            if calls > limit_calls:
                return False  # out of budget: keep the smallest counterexample so far
            scouted = explore(scenario)
            result.runs += scouted.runs
            return any(
                not f.verdict.advisory and name not in covered for name, f in scouted.found.items()
            )

        try:
            minimal = find(
                scenario_strategy(),
                violates,
                settings=settings(
                    max_examples=budget.generated,
                    database=None,
                    deadline=None,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck),
                ),
                random=random.Random(derive_seed(seed, "generate", round_)),
            )
        except NoSuchExample:
            break
        scouted = explore(minimal)
        result.runs += scouted.runs
        new = sorted(
            n for n, f in scouted.found.items() if not f.verdict.advisory and n not in covered
        )
        if not new:
            break
        result.notes.append(
            f"smallest generated scenario breaking {', '.join(new)}: {minimal.describe()}"
        )
        covered.update(scouted.found)
        for name, hit in scouted.found.items():
            result.found.setdefault(name, hit)
    if not covered:
        result.notes.append(f"{budget.generated} generated scenarios: no violation")
    return result
