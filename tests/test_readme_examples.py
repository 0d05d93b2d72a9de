"""The README's "Extend interlock" examples run, and do what the README says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interlock.checkers import CHECKERS, check_all
from interlock.models.invariants import INVARIANTS
from interlock.reports import FORMATS, render
from interlock.runtime.controlled import RunStopped, run_controlled
from interlock.runtime.strategies import STRATEGIES, make_strategy, strategy_usage
from interlock.scenarios import load_scenario
from interlock.subjects import builtin_subjects
from interlock.verify import Budget, Verifier

README = Path(__file__).resolve().parents[1] / "README.md"


def example(name: str) -> dict:
    """Run the README's ``# example: NAME`` block; its names, as a namespace."""
    blocks = re.findall(r"```python\n(# example: (\w+)\n.*?)```", README.read_text(), re.S)
    (source,) = [code for code, label in blocks if label == name]
    namespace: dict = {"__name__": f"readme_example_{name}"}
    exec(compile(source, f"README.md:{name}", "exec"), namespace)  # noqa: S102
    return namespace


def test_the_invariant_example_joins_the_table():
    try:
        example("invariant")
        assert "ordered_results" in CHECKERS and list(CHECKERS)[-1] == "ordered_results"
        article = builtin_subjects()["executor_map"]
        report = Verifier(budget=Budget(runs=3)).verify(article, [load_scenario("tiny")])
        ordered = next(v for v in report.verdicts if v.invariant == "ordered_results")
        assert ordered.holds, ordered.message  # map() keeps the order of its inputs
        assert "ordered" in render("table", [report]).splitlines()[0]
    finally:
        CHECKERS.pop("ordered_results", None)
        INVARIANTS.pop("ordered_results", None)


def test_the_strategy_example_is_a_strategy_like_any_other():
    try:
        example("strategy")
        assert "newest" in strategy_usage()
        strategy = make_strategy("newest", 3)
        assert strategy.next_thread([0, 1, 4], 1) == 4
        article = builtin_subjects()["article_queue"]
        report = Verifier(strategy="newest", budget=Budget(runs=2)).verify(
            article, [load_scenario("tiny")]
        )
        assert "max_in_flight" in report.broken()
    finally:
        STRATEGIES.pop("newest", None)


def test_the_format_example_renders():
    try:
        example("format")
        report = Verifier(budget=Budget(runs=2)).verify(
            builtin_subjects()["article_semaphore"], [load_scenario("tiny")]
        )
        text = render("csv", [report])
        assert text.splitlines()[:2] == [
            "subject,invariant,status",
            "article_semaphore,max_in_flight,pass",
        ]
    finally:
        FORMATS.pop("csv", None)


def test_the_primitive_example_describes_its_own_wait():
    names = example("primitive")
    with pytest.raises(
        RunStopped, match=r"waiter is blocked in Latch\.wait: the latch is still closed"
    ):
        run_controlled(names["forgets_to_open"])

    # The same program with the latch opened ends normally.
    def opens():
        latch = names["Latch"]()
        import threading

        waiter = threading.Thread(target=latch.wait)
        waiter.start()
        latch.release()
        waiter.join()
        return "done"

    assert run_controlled(opens) == "done"
    assert check_all  # the example needs nothing else of interlock


def test_the_readme_lists_every_declared_strategy_and_format():
    text = README.read_text()
    assert f"`{strategy_usage()}`" in text
    formats = "|".join(sorted(FORMATS, key=lambda n: FORMATS[n].order))
    assert f"[--format {formats}]" in text
