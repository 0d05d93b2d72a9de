"""interlock: a concurrency-correctness testbed and verifier for Python threading code."""

from __future__ import annotations

__version__ = "0.1.0"
