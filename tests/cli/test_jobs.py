"""``interlock verify --jobs N``: the same reports as one process, from several."""

from __future__ import annotations

import json
import textwrap
import threading

import pytest

from interlock.errors import InterlockError
from interlock.models import Budget, Settings
from interlock.parallel import verify_in_processes
from interlock.subjects import Subject, builtin_subjects
from tests.kit import run_cli as run

pytestmark = pytest.mark.timeout(300)

OWN = textwrap.dedent(
    """
    import threading

    def download_all(urls, fetch, limit):
        results = [None] * len(urls)

        def one(i):
            results[i] = fetch(urls[i])

        threads = [threading.Thread(target=one, args=(i,)) for i in range(len(urls))]
        for t in threads:
            t.start()                # every download at once: more than limit in flight
        for t in threads:
            t.join()
        return results
    """
)


def test_two_jobs_print_what_one_prints(capsys, tmp_path):
    own = tmp_path / "own.py"
    own.write_text(OWN)
    argv = [
        "verify",
        "article_queue",
        f"{own}:download_all",
        "article_semaphore",
        "--scenario",
        "tiny",
        "--scenario",
        "all_fail",
        "--runs",
        "30",
        "--json",
    ]
    one = run(capsys, *argv, "--jobs", "1")
    two = run(capsys, *argv, "--jobs", "2")
    assert one[0] == two[0] == 1  # violations found, by both
    assert one[1] == two[1]
    found = {t["name"]: t for t in json.loads(two[1])["targets"]}
    assert [t["name"] for t in json.loads(two[1])["targets"]] == [
        "article_queue",
        f"{own}:download_all",
        "article_semaphore",
    ]
    broken = {
        name: {v["invariant"] for v in t["verdicts"] if not v["holds"]} for name, t in found.items()
    }
    assert "max_in_flight" in broken["article_queue"]
    assert "max_in_flight" in broken[f"{own}:download_all"]
    assert "max_in_flight" not in broken["article_semaphore"]


def test_progress_names_each_subject_as_it_finishes(capsys):
    code, _, err = run(
        capsys,
        "verify",
        "article_queue",
        "article_semaphore",
        "--scenario",
        "tiny",
        "--runs",
        "5",
        "--jobs",
        "2",
        "--progress",
    )
    assert code == 1
    done = [line for line in err.splitlines() if line.endswith(" done")]
    assert sorted(done) == [
        "interlock: [1/2] article_queue done",
        "interlock: [2/2] article_semaphore done",
    ] or sorted(done) == [
        "interlock: [1/2] article_semaphore done",
        "interlock: [2/2] article_queue done",
    ]


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_job_count_is_one_line_and_exit_2(capsys, value):
    code, out, err = run(capsys, "verify", "--jobs", value)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "--jobs" in err


def test_a_worker_error_is_raised_in_the_caller():
    good = builtin_subjects()["article_queue"]
    gone = Subject(name="gone", download_all=good.download_all, target="no_such_subject")
    settings = Settings(budget=Budget(runs=2, generated=0))
    with pytest.raises(InterlockError, match="no_such_subject"):
        verify_in_processes([good, gone], settings, ["tiny"], jobs=2)


def test_a_worker_that_dies_is_one_line_and_exit_2(capsys, tmp_path):
    dies = tmp_path / "dies.py"
    dies.write_text(
        textwrap.dedent(
            """
            import ctypes
            import multiprocessing
            import os
            import signal

            def download_all(urls, fetch, limit):
                if multiprocessing.parent_process() is None:  # never the test's own process
                    raise RuntimeError("not in a worker process")
                # libc's kill, not os.kill (which a run models: a subject that signals
                # itself is a no_crash violation, not the end of interlock).
                ctypes.CDLL(None).kill(os.getpid(), signal.SIGKILL)
            """
        )
    )
    code, out, err = run(
        capsys,
        "verify",
        "article_semaphore",
        f"{dies}:download_all",
        "--scenario",
        "tiny",
        "--runs",
        "2",
        "--jobs",
        "2",
    )
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("interlock: error: a worker process ended abruptly")
    assert f"{dies}:download_all" in lines[0]  # named, alone or with the other unfinished one


def test_a_job_that_cannot_reach_a_worker_leaves_no_process_behind():
    import multiprocessing

    class Unpicklable:
        def __reduce__(self):
            raise TypeError("cannot be sent to a worker")

    subjects = list(builtin_subjects().values())[:2]
    before = set(multiprocessing.active_children())
    threads_before = set(threading.enumerate())
    with pytest.raises(TypeError, match="cannot be sent"):
        verify_in_processes(subjects, Unpicklable(), ["tiny"], jobs=2)
    assert set(multiprocessing.active_children()) <= before
    assert set(threading.enumerate()) <= threads_before  # no queue feeder or manager left
