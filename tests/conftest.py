from __future__ import annotations

import os

import pytest

pytest_plugins = ["pytester"]


# Tests whose outcome cannot depend on the interpreter's version (pure renderers, the
# browser harness, the bench's printing, the README, the public names, the command
# lines the docs and the demo show): with
# INTERLOCK_ONCE_ELSEWHERE=1 (tox's per-version environments) they are skipped there,
# and run once, in the coverage environment.
ONCE = (
    "tests/reports/",
    "tests/test_browser_harness.py",
    "tests/bench/",
    "tests/test_readme_examples.py",
    "tests/test_public_api.py",
    # End-to-end runs of the command line's text (the scheduler under them is tested on
    # every version by the runtime, stage and catalogue tests).
    "tests/test_docs.py",
    "tests/test_demo.py",
    "tests/cli/test_show_and_new.py",
    "tests/pytest_plugin/test_explore_in_tests.py",
)


def pytest_collection_modifyitems(config, items):
    """``slow`` tests (the issue's acceptance criteria over 20 seeds and 10,000
    schedules) run in the ``acceptance`` tox environment, where INTERLOCK_SLOW=1;
    the ``ONCE`` tests run once (see above)."""
    if os.environ.get("INTERLOCK_ONCE_ELSEWHERE") == "1":
        once = pytest.mark.skip(reason="does not depend on the interpreter: run in tox -e coverage")
        root = str(config.rootpath)
        for item in items:
            path = str(item.path)[len(root) + 1 :].replace(os.sep, "/")
            if path.startswith(ONCE):
                item.add_marker(once)
    if os.environ.get("INTERLOCK_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow acceptance test: set INTERLOCK_SLOW=1 (tox -e acceptance)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
