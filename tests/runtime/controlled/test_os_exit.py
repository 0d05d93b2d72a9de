"""``os._exit`` in a controlled thread ends the run, not interlock's process."""

from __future__ import annotations

import os
import textwrap
import threading
import time

import pytest

from interlock.cli import main
from interlock.runtime.controlled import RunStopped, run_controlled, run_controlled_ex
from tests.kit import FirstRunnable

pytestmark = pytest.mark.timeout(120)

REAL_EXIT = os._exit


def test_a_worker_calling_os_exit_stops_the_run_with_where_it_was():
    after = []

    def worker():
        os._exit(3)
        after.append("went on")  # never: the process would have ended

    def fn():
        t = threading.Thread(target=worker, name="quitter")
        t.start()
        t.join()
        after.append("joined")
        return "returned"

    with pytest.raises(RunStopped) as caught:
        run_controlled(fn, seed=0)
    message = str(caught.value)
    assert message.startswith("os._exit(3) called in quitter at test_os_exit.py:")
    assert "in worker" in message
    assert message.endswith("the process would end here")
    ex = caught.value.execution
    assert ex.stop == "exited"
    assert ex.exit is not None and ex.exit.type == "ProcessExit"
    assert after == []
    assert os._exit is REAL_EXIT  # restored after the run


def test_os_exit_after_main_returned_is_named_among_the_thread_errors():
    def fn():
        def late():
            time.sleep(5)  # virtual: fires only once nothing else can run
            os._exit(0)

        threading.Thread(target=late, name="late", daemon=True).start()
        return 42

    result = run_controlled_ex(fn, strategy=FirstRunnable())
    assert result.value == 42
    assert result.exception is None
    ex = result.execution
    assert ex.main_done
    assert ex.stop == "exited"
    assert ex.exit.thread == "late"
    assert ex.virtual_time == 5


SUBJECT = textwrap.dedent(
    """
    import os
    import threading

    def download_all(urls, fetch, limit):
        results = []
        t = threading.Thread(target=lambda: os._exit(7), name="quitter")
        t.start()
        t.join()
        return [fetch(u) for u in urls]
    """
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_verify_reports_it_as_a_crash_of_download_all(capsys, tmp_path, jobs):
    path = tmp_path / "quits.py"
    path.write_text(SUBJECT)
    code = main(
        [
            "verify",
            f"{path}:download_all",
            "article_semaphore",
            "--scenario",
            "tiny",
            "--runs",
            "3",
            "--jobs",
            jobs,
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert "FAIL no_crash: download_all raised ProcessExit: os._exit(7) called in quitter" in out
    assert "the process would end here" in out
    assert "error" not in err
    assert os._exit is REAL_EXIT


def test_a_subject_whose_leftover_thread_exits_returned_and_names_the_exit(tmp_path):
    from interlock.checkers import check_all
    from interlock.runtime.controlled import ControlledRuntime
    from interlock.scenarios import load_scenario
    from interlock.subjects import load_target

    path = tmp_path / "late_quit.py"
    path.write_text(
        textwrap.dedent(
            """
            import os
            import threading
            import time

            def download_all(urls, fetch, limit):
                def late():
                    time.sleep(20)  # after download_all returned, within the budget
                    os._exit(0)

                threading.Thread(target=late, name="late", daemon=True).start()
                return [fetch(u) for u in urls]
            """
        )
    )
    subject = load_target(f"{path}:download_all")
    strategy = FirstRunnable()
    record = ControlledRuntime().run(subject, load_scenario("tiny"), strategy)
    assert record.outcome == "returned"
    assert record.crash is None
    assert [e.type for e in record.thread_errors] == ["ProcessExit"]
    crash = {v.invariant: v for v in check_all(record)}["no_crash"]
    assert crash.holds
    assert crash.message.startswith(
        "download_all raised nothing (but after it returned, os._exit(0) called in late at "
    )
