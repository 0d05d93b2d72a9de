"""Targets, subject metadata, and the controlled runtime's argument checks."""

from __future__ import annotations

import types

import pytest

from interlock.errors import InvalidTarget
from interlock.runtime.controlled import ControlledRuntime, run_controlled_ex
from interlock.subjects import _from_module, builtin_subjects, load_target


def module(**attrs):
    mod = types.ModuleType("fake_subject")
    mod.__dict__.update(attrs)
    return mod


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
            _from_module(
                module(download_all=download_all, RARE_WITH_THREADS={"no_crash"}),
                "download_all",
                "t",
                builtin=True,
            )

    def test_not_callable(self):
        with pytest.raises(InvalidTarget, match="is not callable"):
            _from_module(module(download_all=3), "download_all", "t", builtin=False)

    def test_metadata_is_read(self):
        subject = _from_module(
            module(
                download_all=download_all, NAME="mine", ORIGIN="here", BREAKS={"no_crash": "why."}
            ),
            "download_all",
            "t",
            builtin=True,
        )
        assert (subject.name, subject.origin, subject.breaks) == (
            "mine",
            "here",
            {"no_crash": "why."},
        )


class TestControlledRuntimeArguments:
    """Bad settings are refused with the value named."""

    def test_max_steps(self):
        with pytest.raises(ValueError, match=r"'max_steps' must be >= 1 \(got 0\)"):
            ControlledRuntime(max_steps=0)

    def test_spin_limit(self):
        with pytest.raises(ValueError, match=r"'spin_limit' must be > 0 seconds \(got 0\)"):
            ControlledRuntime(spin_limit=0)

    def test_run_controlled_ex_keeps_the_exception(self):
        def boom():
            raise KeyError("x")

        result = run_controlled_ex(boom, seed=2)
        assert isinstance(result.exception, KeyError)
        with pytest.raises(KeyError):
            result.unwrap()
        assert run_controlled_ex(lambda: 7).unwrap() == 7
