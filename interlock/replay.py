"""Replay tokens: one printable string that carries everything a run needs.

``il1.`` then base64url (no padding) of zlib-compressed JSON holding the target,
the scenario (a built-in name, or the whole scenario encoded), the runtime, the
strategy and seed that found the schedule, the schedule's decisions, and a
digest of the trace it produced, so a replay can say whether it matched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import dataclass

from .errors import InterlockError
from .models import Scenario
from .runtime.strategies import decode_decisions, encode_decisions

__all__ = ["InvalidToken", "ReplayToken", "trace_digest"]

_PREFIX = "il1."


class InvalidToken(InterlockError, ValueError):
    """A replay token that cannot be read."""


def trace_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ReplayToken:
    target: str
    scenario: str  # "@name" for a built-in scenario, else an encoded scenario
    runtime: str
    strategy: str
    seed: int
    decisions: tuple[int, ...]
    digest: str

    def encode(self) -> str:
        data = {
            "t": self.target,
            "s": self.scenario,
            "r": self.runtime,
            "st": self.strategy,
            "sd": self.seed,
            "d": encode_decisions(self.decisions),
            "h": self.digest,
        }
        raw = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
        return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ReplayToken:
        text = text.strip()
        if not text.startswith(_PREFIX):
            msg = f"not a replay token (it should start with {_PREFIX!r}): {_clip(text)!r}"
            raise InvalidToken(msg)
        body = text[len(_PREFIX) :]
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            data = json.loads(raw)
            return cls(
                target=str(data["t"]),
                scenario=str(data["s"]),
                runtime=str(data["r"]),
                strategy=str(data["st"]),
                seed=int(data["sd"]),
                decisions=tuple(decode_decisions(str(data["d"]))),
                digest=str(data["h"]),
            )
        except (binascii.Error, zlib.error, ValueError, KeyError, TypeError) as exc:
            msg = f"replay token is damaged ({type(exc).__name__}): {_clip(text)!r}"
            raise InvalidToken(msg) from None

    def load_scenario(self) -> Scenario:
        from .scenarios import decode_scenario, load_scenario

        if self.scenario.startswith("@"):
            return load_scenario(self.scenario[1:])
        return decode_scenario(self.scenario)


def scenario_reference(scenario: Scenario, builtin_names) -> str:
    """``@name`` when the scenario is the built-in of that name, else the scenario itself."""
    from .scenarios import encode_scenario, load_scenario

    if scenario.name in builtin_names and load_scenario(scenario.name) == scenario:
        return "@" + scenario.name
    return encode_scenario(scenario)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
