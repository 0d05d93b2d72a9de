"""interlock: a concurrency-correctness testbed and verifier for Python threading code.

The public face is small: a ``Verifier`` judges subjects, and ``run_controlled``
runs any callable under the controlled scheduler. The rest lives
in sub-packages (``interlock.models``, ``interlock.checkers``, ...).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["RunStopped", "Verifier", "__version__", "run_controlled"]


def __getattr__(name: str):
    # Lazy, so that ``import interlock`` (the pytest plugin does) stays cheap.
    if name in ("run_controlled", "RunStopped"):
        from .runtime import controlled

        return getattr(controlled, name)
    if name == "Verifier":
        from .verify import Verifier

        return Verifier
    msg = f"module 'interlock' has no attribute {name!r}"
    raise AttributeError(msg)
