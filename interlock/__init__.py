"""interlock: a concurrency-correctness testbed and verifier for Python threading code.

The public face is small: a ``Verifier`` judges subjects (a ``download_all``,
with ``Scenario`` and ``TaskSpec`` for its inputs and ``load_scenario`` for the
named ones), ``run_controlled`` runs any callable under the controlled
scheduler once, and ``explore`` runs it over many schedules
(``assert_explores_ok`` in a test); ``make_strategy`` builds a strategy from the
command line's names and ``ReplayToken`` reads a printed token. The rest lives
in sub-packages (``interlock.models``, ``interlock.checkers``, ...).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = [
    "Budget",
    "ExploreResult",
    "ReplayToken",
    "RunStopped",
    "Scenario",
    "Settings",
    "Subject",
    "TaskSpec",
    "Verifier",
    "__version__",
    "assert_explores_ok",
    "explore",
    "load_scenario",
    "make_strategy",
    "run_controlled",
]

# name -> the module that holds it; imported on first use, so that ``import
# interlock`` (the pytest plugin does) stays cheap.
_LAZY = {
    "Budget": "interlock.models",
    "Scenario": "interlock.models",
    "Settings": "interlock.models",
    "Subject": "interlock.models",
    "TaskSpec": "interlock.models",
    "ExploreResult": "interlock.explorer",
    "explore": "interlock.explorer",
    "ReplayToken": "interlock.replay",
    "RunStopped": "interlock.runtime.controlled",
    "run_controlled": "interlock.runtime.controlled",
    "Verifier": "interlock.verify",
    "load_scenario": "interlock.scenarios",
    "make_strategy": "interlock.runtime.strategies",
}


def assert_explores_ok(fn, *args, **options) -> None:
    """``explore(fn, *args, **options).assert_ok()``: for a test; the AssertionError
    carries the failure's report and replay token."""
    from .explorer import explore

    explore(fn, *args, **options).assert_ok()


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'interlock' has no attribute {name!r}"
        raise AttributeError(msg)
    import importlib

    return getattr(importlib.import_module(module), name)
