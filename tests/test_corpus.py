"""Every corpus subject is judged as it should be: no false alarm on correct code,
every true break found, what the controlled runtime cannot model named instead of
judged, and an answer in bounded time with no process left behind.

A smaller budget than ``verify``'s default (the corpus is 57 subjects); the
controlled runtime is deterministic, so what holds here holds on every run.
``python -m tests.corpus.report`` runs a default ``verify`` of each and times it.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import sys
import time

import pytest

from interlock.models import Budget
from interlock.subjects import load_target
from interlock.verify import Verifier
from tests.corpus import corpus_files

pytestmark = pytest.mark.slow

FILES = corpus_files()
_ABANDONED = []
BUDGET = Budget(runs=30, generated=12, generated_runs=5, shrink_calls=20, seconds=8)


def declared(path):
    spec = importlib.util.spec_from_file_location(f"corpus_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_judged_as_it_should_be(path, monkeypatch):
    module = declared(path)
    if getattr(module, "STDIN", None) == "open and silent":
        read_end, write_end = os.pipe()  # nobody writes: a read blocks, as on a quiet terminal
        silent = os.fdopen(read_end)
        # The abandoned read still holds the reader's lock: it is kept, never closed.
        _ABANDONED.append(silent)
        monkeypatch.setattr(sys, "stdin", silent)
        try:
            _judge(module, path)
        finally:
            os.close(write_end)
        return
    _judge(module, path)


def _judge(module, path):
    subject = load_target(f"{path}:download_all")
    before = set(multiprocessing.active_children())
    start = time.monotonic()
    report = Verifier(budget=BUDGET).verify(subject)
    assert time.monotonic() - start < 60
    assert set(multiprocessing.active_children()) <= before
    not_modelled = getattr(module, "NOT_MODELLED", None)
    if not_modelled:
        assert report.unsupported and not_modelled in report.unsupported, report.unsupported
        assert "controlled scheduler does not model" in report.unsupported or (
            "does not model processes" in report.unsupported
        )
        return
    assert report.unsupported is None, report.unsupported
    broken = {v.invariant for v in report.verdicts if not v.holds and not v.advisory}
    expected = set(module.BREAKS) - {"work_conserving"}
    messages = {v.invariant: v.message for v in report.verdicts if not v.holds}
    assert broken == expected, messages
    # A FAIL must replay exactly. (An advisory warning found on a run with time slices,
    # preempted by real CPU time for a busy-waiting subject, may honestly say
    # NONDETERMINISTIC: its preemption points came from the machine, not the seed.)
    failing = {v.invariant for v in report.verdicts if not v.holds and not v.advisory}
    assert not any(messages[i].startswith("NONDETERMINISTIC") for i in failing), messages
