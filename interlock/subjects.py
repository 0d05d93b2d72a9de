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

import difflib
import importlib
import importlib.util
import pkgutil
import sys
from pathlib import Path

from .models import InvalidTarget, Subject

__all__ = [
    "Subject",
    "builtin_subjects",
    "import_root",
    "load_callable",
    "load_module_of",
    "load_target",
    "subject_of",
    "target_of",
]

_IMPLEMENTATIONS = "interlock.implementations"
_FROM_PATH = "interlock_target_"  # the name of a module loaded from a path starts so


def builtin_subjects() -> dict[str, Subject]:
    """Every module in ``interlock/implementations/``, by subject name."""
    package = importlib.import_module(_IMPLEMENTATIONS)
    found: dict[str, Subject] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{_IMPLEMENTATIONS}.{info.name}")
        subject = _checked(Subject.from_module(module))
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
        close = difflib.get_close_matches(target, list(builtins), n=1)
        if close:
            msg = f"unknown target {target!r}: did you mean {close[0]!r}?"
        elif target.endswith(".py"):
            msg = f"unknown target {target!r}: name its function, e.g. {target}:download_all"
        else:
            names = ", ".join(builtins)
            msg = (
                f"unknown target {target!r}: not a built-in subject ({names}), nor module:function"
            )
        raise InvalidTarget(msg)
    module, function_name = load_module_of(target)
    return _checked(Subject.from_module(module, function_name, target))


def load_callable(target: str):
    """The function ``package.module:function`` or ``path/to/file.py:function`` names
    (``module:Class.method`` too: a qualified name is followed attribute by attribute)."""
    if ":" not in target:
        msg = f"bad target {target!r}: expected module:function or path/to/file.py:function"
        raise InvalidTarget(msg)
    if not importable(target):
        msg = (
            f"{target} is a nested function or a lambda: it cannot be imported, only "
            "called again by the code that made it"
        )
        raise InvalidTarget(msg)
    module, qualname = load_module_of(target, qualified=True)
    fn = module
    for part in qualname.split("."):
        fn = getattr(fn, part, None)
    if not callable(fn):
        msg = f"{target}: module {module.__name__!r} has no function {qualname!r}"
        raise InvalidTarget(msg)
    return fn


def importable(target: str) -> bool:
    """Whether the function a target names can be reached from its module by name (a
    nested function's qualified name holds ``<locals>``, a lambda's ``<lambda>``)."""
    return "<" not in target.rpartition(":")[2]


def target_of(fn) -> str:
    """The target that names ``fn`` from where interlock runs: ``module:qualname``, or
    ``path/to/file.py:qualname`` for a module loaded from a path or run as a script."""
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    qualname = getattr(fn, "__qualname__", getattr(fn, "__name__", repr(fn)))
    name = getattr(module, "__name__", "?")
    file = getattr(module, "__file__", None)
    if file and (name == "__main__" or name.startswith(_FROM_PATH)):
        return f"{_relative(Path(file))}:{qualname}"
    return f"{name}:{qualname}"


def import_root(target: str) -> str:
    """The directory that must be on ``sys.path`` for the module of a ``module:function``
    target to import, relative to the working directory when under it; "" when there is
    nothing to add (a path target, a module not loaded, one installed with Python)."""
    import sysconfig

    name = target.rpartition(":")[0]
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if not file or name.startswith(_FROM_PATH) or "/" in name or name.endswith(".py"):
        return ""
    path = Path(file).resolve()
    depth = name.count(".") + (path.stem == "__init__")
    if depth >= len(path.parents):
        return ""
    root = path.parents[depth]
    installed = {Path(p).resolve() for p in sysconfig.get_paths().values()}
    return "" if root in installed else _relative(root)


def _relative(path: Path) -> str:
    """``path`` relative to the working directory when it is under it, else absolute."""
    path = path.resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def load_module_of(target: str, *, qualified: bool = False):
    """(the module, the function's name) of ``module:function`` or ``file.py:function``;
    ``qualified`` lets the name be dotted (``Class.method``)."""
    where, _, function_name = target.rpartition(":")
    parts = function_name.split(".") if qualified else [function_name]
    if not where or not all(part.isidentifier() for part in parts):
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
        except (Exception, SystemExit) as exc:
            msg = f"importing {where!r} for target {target!r} failed: {_raised(exc)}"
            raise InvalidTarget(msg) from None
    return module, function_name


def _import_path(path: Path, target: str):
    if not path.is_file():
        msg = f"no such file {str(path)!r} for target {target!r}"
        raise InvalidTarget(msg)
    name = f"{_FROM_PATH}{abs(hash(str(path.resolve())))}"
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
    except (Exception, SystemExit) as exc:  # a module that calls sys.exit() at import
        del sys.modules[name]
        msg = f"importing {str(path)!r} failed: {_raised(exc)}"
        raise InvalidTarget(msg) from None
    return module


def _raised(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r}) at import"
    return f"{type(exc).__name__}: {exc}"


def _checked(subject: Subject) -> Subject:
    """A subject whose ``BREAKS`` names an unknown invariant is refused when it is loaded (a misspelt invariant would otherwise read as "declared, never broken")."""
    from .checkers import CHECKERS

    unknown = sorted(set(subject.breaks) - set(CHECKERS))
    if unknown:
        names = ", ".join(repr(name) for name in unknown)
        close = [difflib.get_close_matches(name, list(CHECKERS), n=1) for name in unknown]
        hint = "".join(f" (did you mean {c[0]!r}?)" for c in close if c)
        msg = f"{subject.target}: BREAKS names no invariant {names}{hint}"
        raise InvalidTarget(msg)
    return subject


def subject_of(target) -> Subject:
    """A ``Subject`` from what a caller has: a subject, a target string (see
    ``load_target``), or a ``download_all``-shaped callable (its module's ``BREAKS``
    are its own when it is a module-level function)."""
    if isinstance(target, Subject):
        return target
    if isinstance(target, str):
        return load_target(target)
    if not callable(target):
        msg = f"not a subject, a target or a callable: {target!r}"
        raise InvalidTarget(msg)
    module = sys.modules.get(getattr(target, "__module__", None) or "")
    name = getattr(target, "__qualname__", getattr(target, "__name__", repr(target)))
    spec = f"{getattr(module, '__name__', '?')}:{name}"
    if module is not None and getattr(module, name, None) is target:
        return _checked(Subject.from_module(module, name, spec))
    from .models.subject import check_signature

    check_signature(target, spec)
    return Subject(name=spec, download_all=target, target=spec)
