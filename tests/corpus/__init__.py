"""Subjects written to test interlock itself on code nobody here designed it for.

``trust/``: pools that poll, spin, block in calls the scheduler cannot see, start
processes, swallow every exception, or come from PyPI. ``fidelity/``: corners of
threading the stdlib's own tests do not reach (start order, contextvars, deep
chains of threads, locks and clocks made at import, state a subject changes,
workers that die). Each module declares ``BREAKS`` (what it truly breaks, checked
with real threads) and, where the controlled runtime cannot judge it,
``NOT_MODELLED`` (what the report must name instead). ``tests/test_corpus.py``
holds every one to them; ``python -m tests.corpus.report`` times a default
``verify`` of each.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["CORPORA", "corpus_files"]

HERE = Path(__file__).resolve().parent
CORPORA = ("trust", "fidelity")


def corpus_files() -> list[Path]:
    """Every subject module of the corpus, in a stable order."""
    found = []
    for corpus in CORPORA:
        for path in sorted((HERE / corpus).glob("*.py")):
            if path.name.startswith("_") or "def download_all" not in path.read_text():
                continue
            found.append(path)
    return found
