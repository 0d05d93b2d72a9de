"""A threading.local the run cannot swap is shared by every controlled thread: verify
says so, and says nothing of one it swaps (a module's instance: each thread has its own)."""

from __future__ import annotations

import textwrap

from interlock.runtime.controlled._locals import shared_locals
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects, load_target
from interlock.verify import Budget, Verifier

SUBJECT = textwrap.dedent(
    """
    import threading

    CACHE = threading.local()  # made at import: the C thread-local


    class PerThread(threading.local):  # subclassed at import: also the C one
        pass


    def download_all(urls, fetch, limit):
        return [fetch(u) for u in urls]
    """
)


def _subject(tmp_path):
    path = tmp_path / "locals_subject.py"
    path.write_text(SUBJECT)
    return load_target(f"{path}:download_all")


def test_module_level_locals_are_found_and_named(tmp_path):
    found = shared_locals(_subject(tmp_path).download_all)
    assert len(found) == 2
    assert found[0].endswith(".CACHE is a threading.local made at import")
    assert found[1].endswith(".PerThread subclasses threading.local at import")


def test_verify_notes_them_under_the_controlled_runtime_only(tmp_path):
    subject = _subject(tmp_path)
    tiny = [load_scenario("tiny")]
    controlled = Verifier("controlled", seed=0, budget=Budget(runs=2, generated=0))
    notes = controlled.verify(subject, tiny).notes
    assert any("every thread shares one copy" in n and ".PerThread" in n for n in notes), notes
    # The module's instance is swapped for a pure-Python local around every run: it is
    # not shared, and no note says it is.
    assert not any(".CACHE" in n for n in notes), notes
    threads = Verifier("threads", seed=0, budget=Budget(runs=1, generated=0))
    assert not any("shares one copy" in n for n in threads.verify(subject, tiny).notes)


def test_builtin_subjects_have_none():
    for subject in builtin_subjects().values():
        assert shared_locals(subject.download_all) == [], subject.name
