"""Deterministic, self-identifying payloads, and how to recognise a result."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from ._errors import DownloadFailed, UnknownURL
from ._guarded import cause_chain, exception_text, safe_attr, safe_repr, safe_str

__all__ = ["ResultItem", "classify_result", "identify_payload", "make_payload"]

_MAGIC = b"interlock|"


@functools.lru_cache(maxsize=4096)  # runs repeat the same downloads thousands of times
def make_payload(seed: int, url: str, size: int) -> bytes:
    """``interlock|<seed>|<url>|`` then filler derived from (seed, url), ``size`` bytes in all.

    A payload is never shorter than its header, so it always names its URL.
    """
    header = _MAGIC + str(seed).encode() + b"|" + url.encode() + b"|"
    missing = max(0, size - len(header))
    block = hashlib.sha256(header).hexdigest().encode()
    filler = (block * (missing // len(block) + 1))[:missing]
    return header + filler


def identify_payload(data: object) -> tuple[int, str] | None:
    """The (seed, url) a payload claims to be, or None when it is not a payload."""
    # Read through bytes' and bytearray's own methods: a subclass's overrides (or its
    # __bytes__) are the subject's code, and are not run.
    if issubclass(type(data), bytes):
        raw = bytes.__getitem__(data, slice(None))
    elif issubclass(type(data), bytearray):
        raw = bytes(bytearray.__getitem__(data, slice(None)))
    else:
        return None
    if not raw.startswith(_MAGIC):
        return None
    rest = raw[len(_MAGIC) :]
    seed_text, sep, rest = rest.partition(b"|")
    url, sep2, _ = rest.partition(b"|")
    if not sep or not sep2:
        return None
    try:
        return int(seed_text), url.decode()
    except (ValueError, UnicodeDecodeError):
        return None


@dataclass(frozen=True)
class ResultItem:
    """One item ``download_all`` handed back, reduced to what a checker needs.

    ``kind`` is ``"payload"`` (bytes), ``"error"`` (an exception), ``"none"``
    (``None``) or ``"other"``. ``url`` is the URL the item identifies, if any;
    ``intact`` says whether a payload is byte-for-byte what the URL serves.
    """

    kind: str
    url: str | None
    intact: bool
    detail: str


_NONE = ResultItem("none", None, False, "None")

# The payload index of the few scenarios classified last: {id: (scenario, index)}.
# Holding the scenario keeps its id from being reused while its entry lives.
_INDEXES: dict[int, tuple[object, dict[bytes, ResultItem]]] = {}
_INDEXES_KEPT = 8


def _payload_index(scenario) -> dict[bytes, ResultItem]:
    """Every intact payload ``scenario`` serves, mapped to its (immutable, shared) result
    item; built once per scenario."""
    entry = _INDEXES.get(id(scenario))
    if entry is not None and entry[0] is scenario:
        return entry[1]
    index = {}
    for t in scenario.tasks:
        data = make_payload(scenario.seed, t.url, t.size)
        index[data] = ResultItem("payload", t.url, True, f"<{len(data)} bytes of {t.url}>")
    if len(_INDEXES) >= _INDEXES_KEPT:
        _INDEXES.pop(next(iter(_INDEXES)))
    _INDEXES[id(scenario)] = (scenario, index)
    return index


def classify_result(item: object, scenario) -> ResultItem:
    """Reduce one returned item to a ``ResultItem`` (picklable, small)."""
    if type(item) is bytes:
        # The common case, one dict lookup: an intact payload is the very object
        # make_payload cached, so its hash is cached and equality is identity.
        known = _payload_index(scenario).get(item)
        if known is not None:
            return known
    if item is None:
        return _NONE
    if issubclass(type(item), BaseException):
        # The subject's exception: its text and url are read without running its own
        # code unguarded (a __str__ that loops must not hang interlock).
        url = safe_attr(item, "url")
        if issubclass(type(item), (DownloadFailed, UnknownURL)) and isinstance(url, str):
            return ResultItem("error", url, True, exception_text(item))
        if not isinstance(url, str):
            # A subject may wrap the failure; find the URL in the message or the cause chain.
            url = _url_in_exception(item, scenario)
        return ResultItem("error", url, url is not None, exception_text(item))
    who = identify_payload(item)
    if who is not None:
        seed, url = who
        task = scenario.task(url)
        if issubclass(type(item), bytes):
            raw = bytes.__getitem__(item, slice(None))
        else:
            raw = bytes(bytearray.__getitem__(item, slice(None)))
        intact = (
            task is not None
            and seed == scenario.seed
            and raw == make_payload(scenario.seed, url, task.size)
        )
        return ResultItem("payload", url, intact, f"<{len(raw)} bytes of {url}>")
    text = safe_repr(item)
    if len(text) > 60:
        text = text[:57] + "..."
    return ResultItem("other", None, False, text)


def _url_in_exception(exc: BaseException, scenario) -> str | None:
    for current in cause_chain(exc):
        url = safe_attr(current, "url")
        if isinstance(url, str) and scenario.task(url) is not None:
            return url
    message = safe_str(exc)
    # Longest first, so "u1" does not claim the message of "u10".
    for url in sorted(scenario.urls, key=len, reverse=True):
        if url in message:
            return url
    return None
