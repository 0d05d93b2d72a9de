"""Subjects: the built-in implementations, and targets a user names on the command line.

A built-in subject is one module in ``interlock/implementations/`` that defines
``download_all(urls, fetch, limit)`` and declares, next to its code::

    NAME = "article_queue"                 # unique; defaults to the module name
    ORIGIN = "where it comes from"         # one or two sentences
    BREAKS = {"max_in_flight": "why"}      # invariants it is known to break, and why
    RARE_WITH_THREADS = {"clean_shutdown"} # of those, the ones real threads seldom show

Nothing is listed anywhere else: the catalogue is whatever modules are there.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InvalidTarget

__all__ = ["Subject", "builtin_subjects", "load_target"]

_IMPLEMENTATIONS = "interlock.implementations"


@dataclass(frozen=True)
class Subject:
    name: str
    download_all: Callable = field(repr=False)
    target: str
    origin: str = ""
    breaks: dict[str, str] = field(default_factory=dict)
    rare_with_threads: frozenset[str] = frozenset()
    builtin: bool = False


def _from_module(module, function_name: str, target: str, *, builtin: bool) -> Subject:
    fn = getattr(module, function_name, None)
    if fn is None:
        msg = f"{target}: module {module.__name__!r} has no function {function_name!r}"
        raise InvalidTarget(msg)
    _check_signature(fn, target)
    breaks = dict(getattr(module, "BREAKS", {}) or {})
    rare = frozenset(getattr(module, "RARE_WITH_THREADS", ()) or ())
    unknown = rare - set(breaks)
    if unknown:
        msg = f"{module.__name__}: RARE_WITH_THREADS names invariants not in BREAKS: {sorted(unknown)}"
        raise InvalidTarget(msg)
    default_name = module.__name__.rsplit(".", 1)[-1] if builtin else target
    return Subject(
        name=getattr(module, "NAME", default_name) if builtin else default_name,
        download_all=fn,
        target=target,
        origin=getattr(module, "ORIGIN", ""),
        breaks=breaks,
        rare_with_threads=rare,
        builtin=builtin,
    )


def _check_signature(fn: object, target: str) -> None:
    if not callable(fn):
        msg = f"{target}: {fn!r} is not callable"
        raise InvalidTarget(msg)
    try:
        sig = inspect.signature(fn)
        sig.bind(["u"], lambda url: b"", 1)
    except TypeError:
        msg = f"{target}: must take (urls, fetch, limit); its signature is {sig}"
        raise InvalidTarget(msg) from None
    except ValueError:  # a builtin without a signature: let the call decide
        pass


def builtin_subjects() -> dict[str, Subject]:
    """Every module in ``interlock/implementations/``, by subject name."""
    package = importlib.import_module(_IMPLEMENTATIONS)
    found: dict[str, Subject] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_IMPLEMENTATIONS}.{info.name}")
        subject = _from_module(module, "download_all", info.name, builtin=True)
        if subject.name in found:
            msg = (
                f"subject name {subject.name!r} is declared twice: by "
                f"{found[subject.name].download_all.__module__} and by {module.__name__}"
            )
            raise InvalidTarget(msg)
        found[subject.name] = subject
    return found


def load_target(target: str) -> Subject:
    """A built-in name, ``package.module:function`` or ``path/to/file.py:function``."""
    builtins = builtin_subjects()
    if target in builtins:
        return builtins[target]
    if ":" not in target:
        names = ", ".join(builtins)
        msg = f"unknown target {target!r}: not a built-in subject ({names}), nor module:function"
        raise InvalidTarget(msg)
    where, _, function_name = target.rpartition(":")
    if not where or not function_name.isidentifier():
        msg = f"bad target {target!r}: expected module:function or path/to/file.py:function"
        raise InvalidTarget(msg)
    if where.endswith(".py") or "/" in where or "\\" in where:
        module = _import_path(Path(where), target)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            msg = f"cannot import module {where!r} for target {target!r}: {exc}"
            raise InvalidTarget(msg) from None
    return _from_module(module, function_name, target, builtin=False)


def _import_path(path: Path, target: str):
    if not path.is_file():
        msg = f"no such file {str(path)!r} for target {target!r}"
        raise InvalidTarget(msg)
    name = f"interlock_target_{abs(hash(str(path.resolve())))}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        msg = f"cannot load {str(path)!r} as a Python module for target {target!r}"
        raise InvalidTarget(msg)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        msg = f"importing {str(path)!r} failed: {type(exc).__name__}: {exc}"
        raise InvalidTarget(msg) from None
    return module
