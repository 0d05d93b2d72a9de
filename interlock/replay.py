"""Replay tokens: one printable string that carries everything a run needs.

``il1.`` then base64url (no padding) of zlib-compressed JSON holding the target,
the scenario (a built-in name, or the whole scenario encoded), the runtime, the
strategy and seed that found the schedule, the schedule's decisions, and a
digest of the trace it produced, so a replay can say whether it matched. Two
optional fields say where the target is found: ``root``, the directory (relative
to where the token was made) that must be on ``sys.path`` for the target's module
to import, and ``node``, the pytest test that made it (a nested function or a
lambda is replayed through its test: ``pytest NODE --interlock-replay TOKEN``).

A token pasted into a PR comment comes back wrapped across lines, indented, or
behind ``>`` quote markers: ``ReplayToken.decode`` drops whitespace and ``>``,
which never occur in a token.

The decisions inside have a compact codec of their own (``encode_decisions``):
run-length pairs ``(thread, repeat)`` as unsigned LEB128 varints, because
schedules mostly repeat the same thread; then, if it is shorter, zlib over that.
One leading character says which: ``r`` raw, ``z`` zlib. The bytes are
base64url without padding, so the text survives shells and URLs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from .errors import InterlockError
from .models import Scenario

__all__ = ["InvalidToken", "ReplayToken", "decode_decisions", "encode_decisions", "trace_digest"]

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
    root: str = ""  # the directory the target's module imports from ("": as it is)
    node: str = ""  # the pytest node id that made the token ("": none)

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
        # Written only when set, so tokens without them read as before.
        data.update({k: v for k, v in (("p", self.root), ("n", self.node)) if v})
        raw = zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 9)
        return _PREFIX + base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> ReplayToken:
        text = _unwrap(text)
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
                root=str(data.get("p", "")),
                node=str(data.get("n", "")),
            )
        except (binascii.Error, zlib.error, ValueError, KeyError, TypeError) as exc:
            msg = f"replay token is damaged ({type(exc).__name__}): {_clip(text)!r}"
            raise InvalidToken(msg) from None

    def describe(self) -> str:
        """Whose token this is, in words: ``token of subject article_queue (scenario
        tiny, controlled runtime)`` or ``token of function pkg.mod:fn (explore)``."""
        if self.runtime == "explore":
            return f"token of function {self.target} (explore, {self.scenario} granularity)"
        where = self.scenario[1:] if self.scenario.startswith("@") else "its own scenario"
        return f"token of subject {self.target} (scenario {where}, {self.runtime} runtime)"

    def load_scenario(self) -> Scenario:
        from .scenarios import decode_scenario, load_scenario

        if self.scenario.startswith("@"):
            return load_scenario(self.scenario[1:])
        return decode_scenario(self.scenario)


def _unwrap(text: str) -> str:
    """The token in ``text`` as pasted: wrapped across lines, indented, or quoted with
    ``>`` (neither whitespace nor ``>`` is in a token's alphabet)."""
    return re.sub(r"[\s>]+", "", text)


def scenario_reference(scenario: Scenario, builtin_names) -> str:
    """``@name`` when the scenario is the built-in of that name, else the scenario itself."""
    from .scenarios import encode_scenario, load_scenario

    if scenario.name in builtin_names and load_scenario(scenario.name) == scenario:
        return "@" + scenario.name
    return encode_scenario(scenario)


# -- the decision codec ------------------------------------------------------------

_RAW = "r"
_ZLIB = "z"
_ALPHABET = re.compile(r"[A-Za-z0-9_-]*")
# A decoded token may not expand past this; guards against a zlib bomb.
_MAX_BYTES = 1 << 24


def encode_decisions(decisions: Iterable[int]) -> str:
    """Encode non-negative thread ids; ``decode_decisions`` gives them back exactly."""
    out = bytearray()
    run_value = -1
    run_length = 0
    for index, value in enumerate(decisions):
        if type(value) is not int or value < 0:  # bool is refused too: it is no thread id
            msg = f"decision {index} must be an int >= 0 (got {value!r})"
            raise ValueError(msg)
        if value == run_value:
            run_length += 1
            continue
        if run_length:
            _put_varint(out, run_value)
            _put_varint(out, run_length)
        run_value, run_length = value, 1
    if run_length:
        _put_varint(out, run_value)
        _put_varint(out, run_length)
    raw = bytes(out)
    packed = zlib.compress(raw, 9)
    # zlib costs about 6 bytes of framing, so short schedules stay raw.
    kind, body = (_ZLIB, packed) if len(packed) < len(raw) else (_RAW, raw)
    return kind + base64.urlsafe_b64encode(body).decode("ascii").rstrip("=")


def decode_decisions(token: str) -> list[int]:
    """Read a token made by ``encode_decisions``; ``ValueError`` on anything else."""
    if not isinstance(token, str):
        msg = f"decision token must be a str (got {type(token).__name__})"
        raise ValueError(msg)
    kind, body = token[:1], token[1:]
    if kind not in (_RAW, _ZLIB):
        msg = f"decision token must start with {_RAW!r} or {_ZLIB!r} (got {_clip(token)!r})"
        raise ValueError(msg)
    # b64decode would silently skip stray characters; refuse them instead.
    if not _ALPHABET.fullmatch(body) or len(body) % 4 == 1:
        msg = f"decision token is not base64url: {_clip(token)!r}"
        raise ValueError(msg)
    # Checked above, so this cannot fail.
    data = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if kind == _ZLIB:
        data = _inflate(data, token)
    return _unpack(data, token)


def _inflate(data: bytes, token: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(data, _MAX_BYTES)
    except zlib.error:
        msg = f"decision token is damaged (bad zlib data): {_clip(token)!r}"
        raise ValueError(msg) from None
    if inflater.unconsumed_tail:
        msg = f"decision token expands past {_MAX_BYTES} bytes: {_clip(token)!r}"
        raise ValueError(msg)
    if not inflater.eof or inflater.unused_data:
        msg = f"decision token is damaged (truncated or trailing zlib data): {_clip(token)!r}"
        raise ValueError(msg)
    return raw


def _unpack(data: bytes, token: str) -> list[int]:
    out: list[int] = []
    pos = 0
    end = len(data)
    while pos < end:
        value, pos = _get_varint(data, pos, token)
        if pos >= end:
            msg = f"decision token is damaged (a thread id without a count): {_clip(token)!r}"
            raise ValueError(msg)
        count, pos = _get_varint(data, pos, token)
        if count == 0:
            msg = f"decision token is damaged (a run of length 0): {_clip(token)!r}"
            raise ValueError(msg)
        if len(out) + count > _MAX_BYTES:
            msg = f"decision token holds more than {_MAX_BYTES} decisions: {_clip(token)!r}"
            raise ValueError(msg)
        out.extend([value] * count)
    return out


def _put_varint(out: bytearray, value: int) -> None:
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _get_varint(data: bytes, pos: int, token: str) -> tuple[int, int]:
    value = 0
    shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            # Reject padded encodings (a final 0 byte after others) so one list
            # has exactly one token.
            if byte == 0 and shift:
                break
            return value, pos
        shift += 7
        if shift > 63:
            break
    msg = f"decision token is damaged (bad varint at byte {pos}): {_clip(token)!r}"
    raise ValueError(msg)


def _clip(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
