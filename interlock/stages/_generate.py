"""Generate: Hypothesis looks for a scenario that breaks an invariant, and shrinks it.

First the small scopes (``scenarios.small``: the few smallest scenarios at the
contract's boundaries) are explored, each once: what one breaks needs no search
and no shrinking. Then each round searches for a scenario breaking a (non-advisory) invariant no
generated scenario has broken yet, shrinks it to the smallest one Hypothesis
can find, and explores it again to keep what it shows; rounds go on until a
search finds nothing new. Every round's randomness is derived from the seed.

Hypothesis needs the same answer for the same scenario every time it asks (it
replays a failing example to check it). Exploration on real threads varies
from run to run, and the budget can run out between two asks: so each answer
is remembered, a scenario first seen after the budget ran out counts as not
failing, and if Hypothesis still calls the search flaky the smallest failing
scenario seen so far is kept.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from ..checkers import CHECKERS
from ..models import Budget, Scenario, derive_seed
from ._explore import Found, Scouted, size_key

__all__ = ["Generated", "generate"]


@dataclass
class Generated:
    """What the search found (first violations per invariant), the runs it took, and
    one note per round."""

    found: dict[str, Found] = field(default_factory=dict)
    runs: int = 0
    notes: list[str] = field(default_factory=list)


class _Round:
    """One search: Hypothesis's test, with every answer remembered."""

    def __init__(
        self,
        explore: Callable[[Scenario], Scouted],
        covered: set[str],
        calls: int,
        stop: Callable[[], bool],
    ) -> None:
        self.explore = explore
        self.stop = stop
        self.covered = covered
        self.calls_left = calls
        self.runs = 0
        self.answers: dict[Scenario, bool] = {}
        self.scouted: dict[Scenario, Scouted] = {}  # what exploring each one found
        self.smallest: Scenario | None = None  # the smallest failing scenario seen

    def violates(self, scenario: Scenario) -> bool:
        known = self.answers.get(scenario)
        if known is not None:
            return known
        if self.calls_left <= 0 or self.stop():
            self.answers[scenario] = False  # out of budget: the smallest so far stands
            return False
        self.calls_left -= 1
        scouted = self.explore(scenario)
        self.scouted[scenario] = scouted
        self.runs += scouted.runs
        answer = any(
            not f.verdict.advisory and name not in self.covered for name, f in scouted.found.items()
        )
        self.answers[scenario] = answer
        if answer and (self.smallest is None or size_key(scenario) < size_key(self.smallest)):
            self.smallest = scenario
        return answer


def generate(
    explore: Callable[[Scenario], Scouted],
    budget: Budget,
    seed: int,
    stop: Callable[[], bool] = lambda: False,
) -> Generated:
    """Search with ``explore(scenario)`` as the test; ``budget.generated`` scenarios a round,
    ``budget.shrink_calls`` more to shrink. Once ``stop()`` says so (out of time), no
    new scenario is explored and no new round starts."""
    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis.errors import Flaky, NoSuchExample

    from ..scenarios.strategies import scenarios as scenario_strategy

    result = Generated()
    covered: set[str] = set()  # invariants a generated scenario already broke
    _small_scopes(explore, result, covered, stop)
    for round_ in range(len(CHECKERS)):
        if stop():
            break
        search = _Round(explore, covered, budget.generated + budget.shrink_calls, stop)
        try:
            minimal = find(
                scenario_strategy(),
                search.violates,
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
            result.runs += search.runs
            break
        except Flaky:  # pragma: no cover - answers are remembered; kept as a safety net
            minimal = search.smallest
        result.runs += search.runs
        if minimal is None:  # pragma: no cover - only after Flaky with nothing found
            break
        scouted = search.scouted.get(minimal)  # explored while shrinking: remembered
        if scouted is None:  # pragma: no cover - Hypothesis asks about what it returns
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


def _small_scopes(
    explore: Callable[[Scenario], Scouted],
    result: Generated,
    covered: set[str],
    stop: Callable[[], bool],
) -> None:
    """Explore each small scope once, smallest first, keeping what it breaks."""
    from ..scenarios.small import small_scopes

    for scenario in small_scopes():
        if stop():
            return
        scouted = explore(scenario)
        result.runs += scouted.runs
        new = sorted(
            n for n, f in scouted.found.items() if not f.verdict.advisory and n not in covered
        )
        if new:
            result.notes.append(f"{', '.join(new)} broken on a small scope: {scenario.describe()}")
        covered.update(scouted.found)
        for name, hit in scouted.found.items():
            result.found.setdefault(name, hit)
