"""Targets and subject metadata: every way to name a subject, and to get it wrong."""

from __future__ import annotations

import pytest

from interlock.errors import InvalidTarget
from interlock.models import Subject
from interlock.subjects import builtin_subjects, load_target
from tests.kit import module


def download_all(urls, fetch, limit):
    return [fetch(u) for u in urls]


class TestTargets:
    """Every way to name a subject, and every way to get it wrong."""

    def test_builtin_and_module_targets(self):
        assert load_target("executor_map") == builtin_subjects()["executor_map"]
        subject = load_target("interlock.implementations.executor_map:download_all")
        assert subject.name == "interlock.implementations.executor_map:download_all"
        assert not subject.builtin

    def test_file_target(self, tmp_path):
        path = tmp_path / "mine.py"
        path.write_text("def go(urls, fetch, limit):\n    return [fetch(u) for u in urls]\n")
        assert load_target(f"{path}:go").download_all(["a"], lambda u: u, 1) == ["a"]

    @pytest.mark.parametrize(
        ("target", "pattern"),
        [
            (":go", "bad target ':go'"),
            ("x.py:not an identifier", "bad target"),
            ("interlock.subjects:Subject.x", "bad target"),
        ],
    )
    def test_bad_shapes(self, target, pattern):
        with pytest.raises(InvalidTarget, match=pattern):
            load_target(target)

    def test_rare_must_be_declared_broken(self):
        with pytest.raises(
            InvalidTarget, match=r"RARE_WITH_THREADS names invariants not in BREAKS"
        ):
            Subject.from_module(module(download_all=download_all, RARE_WITH_THREADS={"no_crash"}))

    def test_not_callable(self):
        with pytest.raises(InvalidTarget, match="is not callable"):
            Subject.from_module(module(download_all=3), "download_all", "t")

    def test_metadata_is_read(self):
        subject = Subject.from_module(
            module(
                download_all=download_all, NAME="mine", ORIGIN="here", BREAKS={"no_crash": "why."}
            )
        )
        assert (subject.name, subject.origin, subject.breaks) == (
            "mine",
            "here",
            {"no_crash": "why."},
        )
