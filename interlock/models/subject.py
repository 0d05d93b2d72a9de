"""A subject: an implementation under test, with what it declares about itself."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field

from ._errors import InvalidTarget

__all__ = ["Subject"]


@dataclass(frozen=True)
class Subject:
    """``download_all`` and its metadata.

    ``target`` names it so that another process (``--jobs``, a replay token) can
    load it again; ``breaks`` maps each invariant it is known to break to why;
    ``rare_with_threads`` are those of them real threads seldom show.
    """

    name: str
    download_all: Callable = field(repr=False)
    target: str
    origin: str = ""
    breaks: dict[str, str] = field(default_factory=dict)
    rare_with_threads: frozenset[str] = frozenset()
    builtin: bool = False
    fixed_by: str | None = None  # a subject that keeps the promise this one breaks

    @classmethod
    def from_module(
        cls, module, function_name: str = "download_all", target: str | None = None
    ) -> Subject:
        """The subject a module declares: its function and, next to it, ``NAME``,
        ``ORIGIN``, ``BREAKS``, ``RARE_WITH_THREADS`` and ``FIXED_BY`` (the target of a
        subject that keeps the promises this one breaks: ``interlock demo`` shows it
        beside the bug).

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
