"""How much to explore and how: one frozen value, built once by the CLI or the pytest
plugin and carried as is to every stage and every ``--jobs`` worker."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields

from ._errors import InvalidSetting

__all__ = ["Budget", "Settings", "derive_seed"]


def derive_seed(*parts: object) -> int:
    """A 48-bit seed from its parts (the settings' seed, a scenario's key, a run's
    number...): the same parts give the same seed on every Python and in every process."""
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:6], "big")


@dataclass(frozen=True)
class Budget:
    """How much exploring a verification does. ``None`` means the runtime's default."""

    runs: int | None = None  # schedules per named scenario (threads: repetitions)
    generated: int | None = None  # generated scenarios Hypothesis may try
    generated_runs: int | None = None  # schedules per generated scenario
    shrink_calls: int | None = None  # runs spent shrinking one generated counterexample
    seconds: float | None = None  # real time exploring one subject may take

    def over(self, defaults: Budget) -> Budget:
        """This budget with every unset field taken from ``defaults``."""
        return Budget(
            **{
                f.name: getattr(defaults, f.name)
                if getattr(self, f.name) is None
                else getattr(self, f.name)
                for f in fields(self)
            }
        )


@dataclass(frozen=True)
class Settings:
    """Everything a verification is parametrised by, except what to verify.

    ``seed`` derives every schedule's and every generated scenario's seed, so the
    same settings give the same report in any process, in any order. ``strategy``
    is a strategy spec (``mix``, ``random``, ``pct:3``, ``exhaustive:2``...), used by
    runtimes that schedule; ``time_scale`` is real seconds per virtual second, used
    by runtimes on a real clock. ``invariants`` limits the checking to those (None:
    every one); with ``fail_fast`` exploring a subject ends at its first FAIL.
    """

    seed: int = 0
    runtime: str = "controlled"
    strategy: str = "mix"
    budget: Budget = field(default_factory=Budget)
    time_scale: float = 0.001
    invariants: tuple[str, ...] | None = None
    fail_fast: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            msg = f"'seed' must be an integer (got {self.seed!r})"
            raise InvalidSetting(msg)
        if not isinstance(self.time_scale, (int, float)) or not self.time_scale > 0:
            msg = f"'time_scale' must be a number > 0 (got {self.time_scale!r})"
            raise InvalidSetting(msg)
        seconds = self.budget.seconds
        if seconds is not None and (
            isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not seconds > 0
        ):
            msg = f"'seconds' must be a number > 0 (got {seconds!r})"
            raise InvalidSetting(msg)
        for name in ("runs", "generated", "generated_runs", "shrink_calls"):
            value = getattr(self.budget, name)
            lowest = 0 if name == "generated" else 1
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < lowest
            ):
                msg = f"{name!r} must be an integer >= {lowest} (got {value!r})"
                raise InvalidSetting(msg)
