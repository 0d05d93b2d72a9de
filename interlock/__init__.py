"""interlock: a concurrency-correctness testbed and verifier for Python threading code.

The public face is small: a ``Verifier`` judges subjects, ``run_controlled``
runs any callable under the controlled scheduler once, and ``explore`` runs it
over many schedules (``assert_explores_ok`` in a test). The rest lives
in sub-packages (``interlock.models``, ``interlock.checkers``, ...).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "ExploreResult",
    "RunStopped",
    "Verifier",
    "__version__",
    "assert_explores_ok",
    "explore",
    "run_controlled",
]


def assert_explores_ok(fn, *args, **options) -> None:
    """``explore(fn, *args, **options).assert_ok()``: for a test; the AssertionError
    carries the failure's report and replay token."""
    from .explorer import explore

    explore(fn, *args, **options).assert_ok()


def __getattr__(name: str):
    # Lazy, so that ``import interlock`` (the pytest plugin does) stays cheap.
    if name in ("run_controlled", "RunStopped"):
        from .runtime import controlled

        return getattr(controlled, name)
    if name in ("explore", "ExploreResult"):
        from . import explorer as module

        return getattr(module, name)
    if name == "Verifier":
        from .verify import Verifier

        return Verifier
    msg = f"module 'interlock' has no attribute {name!r}"
    raise AttributeError(msg)
