"""Find thread-local storage the controlled runtime cannot give each thread its own copy of.

Inside a session ``threading.local()`` builds the pure-Python ``_threading_local.local``,
which keys its storage by ``current_thread()`` and so works per controlled thread. A
``threading.local`` made *before* the patches is the C ``_thread._local``: it keys its
storage by the OS thread, and every controlled thread runs on the same OS thread, so
they would all share one copy. A plain instance held where ``_imports`` finds it (a
module attribute, say) is swapped for a pure-Python one around each run, and is fine.
An instance of a class that subclasses it at import, or the class itself (whose
instances made in a run are C ones too), cannot be repaired from Python; it can be
said, so a report does not blame the subject for what the runtime did.
"""

from __future__ import annotations

import _thread
import sys
from collections.abc import Callable, Collection

__all__ = ["shared_locals", "shared_locals_note"]

_C_LOCAL = _thread._local


def shared_locals(fn: Callable, modelled: Collection[int] = ()) -> list[str]:
    """What in ``fn``'s module is C thread-local storage, one description each, but the
    instances whose ids are in ``modelled`` (a run swaps them for pure-Python ones)."""
    module = sys.modules.get(getattr(fn, "__module__", None) or "")
    namespace = getattr(fn, "__globals__", None) or (vars(module) if module else {})
    module_name = namespace.get("__name__", "?")
    found = []
    for name, value in sorted(namespace.items(), key=lambda item: str(item[0])):
        if isinstance(value, _C_LOCAL) and id(value) not in modelled:
            found.append(f"{module_name}.{name} is a threading.local made at import")
        elif (
            isinstance(value, type)
            and issubclass(value, _C_LOCAL)
            and value.__module__ == module_name
        ):
            found.append(f"{module_name}.{name} subclasses threading.local at import")
    return found


def shared_locals_note(fn: Callable, modelled: Collection[int] = ()) -> str | None:
    """One line for a report, or None when there is nothing to say."""
    found = shared_locals(fn, modelled)
    if not found:
        return None
    return (
        "; ".join(found)
        + ": under the controlled runtime every thread shares one copy of it (the C "
        "thread-local keys by OS thread); create it inside download_all, or check with "
        "--runtime threads"
    )
