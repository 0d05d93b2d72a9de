"""A subject: an implementation under test, with what it declares about itself."""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ._errors import InvalidTarget

__all__ = ["NO_PROMISES", "PROMISE_KEYS", "Promises", "Subject", "promises_of"]

# What a subject may promise beyond download_all's contract (see ``Promises``).
PROMISE_KEYS = ("ordered", "fail_fast", "bound")
_LIMIT_PLUS = re.compile(r"limit(?:\s*\+\s*(\d+))?")


@dataclass(frozen=True)
class Promises:
    """What a subject promises beyond the contract, declared as ``PROMISES`` next to
    its code (``PROMISES = {"ordered": True, "bound": "limit + 1"}``).

    - ``ordered``: the results come back in URL order (item i is URL i's);
    - ``fail_fast``: once a download has failed, no new download starts; the URLs
      it never started are owed no result;
    - ``bound``: how many downloads may be in flight at once: ``"limit"`` (the
      contract), ``"limit + K"``, or a number ``N`` whatever the limit.
    """

    ordered: bool = False
    fail_fast: bool = False
    bound: int | str = "limit"

    def __post_init__(self) -> None:
        for key in ("ordered", "fail_fast"):
            if not isinstance(getattr(self, key), bool):
                msg = f"promise {key!r} must be True or False (got {getattr(self, key)!r})"
                raise InvalidTarget(msg)
        object.__setattr__(self, "bound", _bound_text(self.bound))

    @classmethod
    def declared_by(cls, value: object, where: str) -> Promises:
        """The promises a ``PROMISES`` dict declares; a misspelt key or a bad value is
        refused in one line that says where it came from."""
        if value is None:
            return NO_PROMISES
        if not isinstance(value, dict):
            msg = (
                f"{where}: PROMISES must be a dict of promise -> value (got {type(value).__name__})"
            )
            raise InvalidTarget(msg)
        unknown = [key for key in value if key not in PROMISE_KEYS]
        if unknown:
            msg = f"{where}: PROMISES names no promise {_hint(unknown[0])}"
            raise InvalidTarget(msg)
        try:
            return cls(**value)
        except InvalidTarget as exc:
            msg = f"{where}: PROMISES: {exc}"
            raise InvalidTarget(msg) from None

    @property
    def made(self) -> bool:
        """Whether anything is promised beyond the contract."""
        return self != NO_PROMISES

    def at_most(self, limit: int) -> int:
        """The most downloads that may be in flight at once for ``limit``."""
        if isinstance(self.bound, int):
            return self.bound
        extra = self.bound.partition("+")[2]
        return limit + int(extra) if extra else limit

    def describe(self) -> str:
        """``ordered results, fail-fast, at most limit + 1 in flight`` ("" for none)."""
        parts = ["ordered results"] if self.ordered else []
        parts += ["fail-fast"] if self.fail_fast else []
        parts += [f"at most {self.bound} in flight"] if self.bound != "limit" else []
        return ", ".join(parts)


def _bound_text(bound: object) -> int | str:
    """``bound`` as it is kept: a number >= 1, ``"limit"`` or ``"limit + K"``."""
    if isinstance(bound, int) and not isinstance(bound, bool) and bound >= 1:
        return bound
    match = _LIMIT_PLUS.fullmatch(bound.strip()) if isinstance(bound, str) else None
    if match is None:
        msg = f"promise 'bound' must be 'limit', 'limit + K' or a number >= 1 (got {bound!r})"
        raise InvalidTarget(msg)
    extra = int(match.group(1) or 0)
    return f"limit + {extra}" if extra else "limit"


def _hint(key: object) -> str:
    close = difflib.get_close_matches(str(key), PROMISE_KEYS, n=1)
    if close:
        return f"{key!r} (did you mean {close[0]!r}?)"
    return f"{key!r} (the promises are {', '.join(PROMISE_KEYS)})"


NO_PROMISES = Promises()

# The promises of each subject, by name. A run record names its subject but does not
# carry its promises (the runtimes make records), so the checkers look them up here;
# a subject's promises are recorded when its ``Subject`` value is made.
_PROMISED: dict[str, Promises] = {}


def promises_of(subject: str) -> Promises:
    """What the subject named ``subject`` (a ``RunRecord.subject``) promises."""
    return _PROMISED.get(subject, NO_PROMISES)


@dataclass(frozen=True)
class Subject:
    """``download_all`` and its metadata.

    ``target`` names it so that another process (``--jobs``, a replay token) can
    load it again; ``breaks`` maps each invariant it is known to break to why;
    ``rare_with_threads`` are those of them real threads seldom show; ``promises``
    (a ``Promises``, or the dict a module declares as ``PROMISES``) is what it promises
    beyond the contract, and the checkers judge its runs by it: the last subject made
    with a name is the one whose promises count for that name.
    """

    name: str
    download_all: Callable = field(repr=False)
    target: str
    origin: str = ""
    breaks: dict[str, str] = field(default_factory=dict)
    rare_with_threads: frozenset[str] = frozenset()
    builtin: bool = False
    fixed_by: str | None = None  # a subject that keeps the promise this one breaks
    promises: Promises = NO_PROMISES

    def __post_init__(self) -> None:
        if not isinstance(self.promises, Promises):
            object.__setattr__(self, "promises", Promises.declared_by(self.promises, self.target))
        if self.promises.made:
            _PROMISED[self.name] = self.promises
        else:
            _PROMISED.pop(self.name, None)

    @classmethod
    def from_module(
        cls, module, function_name: str = "download_all", target: str | None = None
    ) -> Subject:
        """The subject a module declares: its function and, next to it, ``NAME``,
        ``ORIGIN``, ``BREAKS``, ``RARE_WITH_THREADS``, ``FIXED_BY`` (the target of a
        subject that keeps the promises this one breaks: ``interlock demo`` shows it
        beside the bug) and ``PROMISES`` (see ``Promises``).

        Without ``target`` the module is a built-in subject (in interlock's
        catalogue, named by ``NAME`` or the module's own name); with one it is a
        user's module named by that target.
        """
        builtin = target is None
        short = module.__name__.rsplit(".", 1)[-1]
        target = short if builtin else target
        fn = getattr(module, function_name, None)
        if fn is None:
            msg = f"{target}: module {module.__name__!r} has no function {function_name!r}"
            raise InvalidTarget(msg)
        check_signature(fn, target)
        breaks = dict(getattr(module, "BREAKS", {}) or {})
        rare = frozenset(getattr(module, "RARE_WITH_THREADS", ()) or ())
        unknown = rare - set(breaks)
        if unknown:
            msg = f"{module.__name__}: RARE_WITH_THREADS names invariants not in BREAKS: {sorted(unknown)}"
            raise InvalidTarget(msg)
        return cls(
            name=getattr(module, "NAME", short) if builtin else target,
            download_all=fn,
            target=target,
            origin=getattr(module, "ORIGIN", ""),
            breaks=breaks,
            rare_with_threads=rare,
            builtin=builtin,
            fixed_by=getattr(module, "FIXED_BY", None),
            promises=Promises.declared_by(
                getattr(module, "PROMISES", None), module.__name__ if builtin else target
            ),
        )


def check_signature(fn: object, target: str) -> None:
    """``fn`` must be callable as ``fn(urls, fetch, limit)``."""
    if not callable(fn):
        msg = f"{target}: {fn!r} is not callable"
        raise InvalidTarget(msg)
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        msg = (
            f"{target}: is an async function; interlock verifies threaded code: give it a "
            "plain function (one that calls asyncio.run() itself, if it must)"
        )
        raise InvalidTarget(msg)
    try:
        sig = inspect.signature(fn)
        sig.bind(["u"], lambda url: b"", 1)
    except TypeError:
        msg = f"{target}: must take (urls, fetch, limit); its signature is {sig}"
        raise InvalidTarget(msg) from None
    except ValueError:  # a builtin without a signature: let the call decide
        pass
