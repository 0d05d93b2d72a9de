"""Threads that share a name are told apart in every record of a run.

``Thread(target=work, name="worker")`` in a loop is common, and CPython allows it.
Records named threads by their ``name``, so the old code drew every ``worker`` as
one lane (only its last download showed), listed "worker starts downloading u4"
once per thread in "where every thread was", and attributed each download to the
same ``worker``. Each thread of a run now has a name of its own: ``worker``,
``worker#2``, ``worker#3`` in start order.
"""

from __future__ import annotations

import threading

import pytest

from interlock.models import Scenario, TaskSpec, ThreadNames
from interlock.runtime.controlled import ControlledRuntime
from interlock.runtime.threads import ThreadsRuntime
from tests.kit import run_cli, subject

pytestmark = pytest.mark.timeout(120)

THREE = Scenario("three", tuple(TaskSpec(f"u{i}", duration=1.0) for i in range(3)), limit=3)


def same_named_workers(urls, fetch, limit):
    results = [None] * len(urls)

    def work(i):
        results[i] = fetch(urls[i])

    threads = [threading.Thread(target=work, args=(i,), name="worker") for i in range(len(urls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def same_named_and_stuck(urls, fetch, limit):
    never = threading.Event()

    def work(url):
        fetch(url)
        never.wait()

    threads = [threading.Thread(target=work, args=(u,), name="worker") for u in urls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


RUNTIMES = [ControlledRuntime(), ThreadsRuntime()]


@pytest.mark.parametrize("runtime", RUNTIMES, ids=lambda r: r.name)
def test_each_download_names_its_own_thread(runtime):
    (record, _, _) = next(iter(runtime.trials(subject(same_named_workers), THREE, 1, key="k")))
    starts = {e.url: e.thread for e in record.trace if e.kind == "start"}
    finishes = {e.url: e.thread for e in record.trace if e.kind == "finish"}
    assert sorted(starts.values()) == ["worker", "worker#2", "worker#3"]
    assert finishes == starts  # the thread that started a download is the one that ended it


def test_the_controlled_runtime_numbers_them_in_start_order():
    (record, _, _) = next(
        iter(ControlledRuntime().trials(subject(same_named_workers), THREE, 1, key="k"))
    )
    starts = {e.url: e.thread for e in record.trace if e.kind == "start"}
    assert starts == {"u0": "worker", "u1": "worker#2", "u2": "worker#3"}


@pytest.mark.parametrize("runtime", RUNTIMES, ids=lambda r: r.name)
def test_where_each_thread_was_lists_each_once(runtime):
    (record, _, _) = next(iter(runtime.trials(subject(same_named_and_stuck), THREE, 1, key="k")))
    stuck = sorted(t.name for t in record.blocked if t.name != "MainThread")
    assert stuck == ["worker", "worker#2", "worker#3"]


def test_the_picture_has_a_lane_per_thread(tmp_path, capsys, monkeypatch):
    (tmp_path / "pool.py").write_text(
        "import threading\n\n"
        "def download_all(urls, fetch, limit):\n"
        "    results = [None] * len(urls)\n"
        "    def work(i):\n"
        "        results[i] = fetch(urls[i])\n"
        "    threads = [threading.Thread(target=work, args=(i,), name='worker')"
        " for i in range(len(urls))]\n"
        "    for t in threads:\n"
        "        t.start()\n"
        "    for t in threads:\n"
        "        t.join()\n"
        "    return results\n"
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(
        capsys, "verify", "pool.py:download_all", "--scenario", "tiny", "--explain",
        "--invariant", "max_in_flight",
    )  # fmt: skip
    assert code == 1
    lanes = [line.split()[0] for line in out.splitlines() if line.startswith("worker")]
    assert lanes == ["worker", "worker#2", "worker#3", "worker#4", "worker#5"]
    where = out.split("where every thread was")[1].split("the schedule")[0]
    assert where.count("starts downloading u4") == 1


class TestThreadNames:
    def thread(self, name):
        return threading.Thread(name=name)

    def test_the_first_keeps_its_name_and_later_ones_are_numbered(self):
        names = ThreadNames()
        a, b, c = self.thread("w"), self.thread("w"), self.thread("x")
        assert [names.of(t) for t in (a, b, c, a, b)] == ["w", "w#2", "x", "w", "w#2"]

    def test_a_number_some_thread_already_goes_by_is_skipped(self):
        names = ThreadNames()
        taken, a, b = self.thread("w#2"), self.thread("w"), self.thread("w")
        assert [names.of(t) for t in (taken, a, b)] == ["w#2", "w", "w#3"]

    def test_a_renamed_thread_is_named_afresh_and_keeps_its_old_name(self):
        names = ThreadNames()
        a, b = self.thread("w"), self.thread("w")
        assert names.of(a) == "w"
        a.name = "fetcher-1"
        assert names.of(a) == "fetcher-1"
        assert names.of(b) == "w#2"  # "w" still names a, as the records before say
        a.name = "w"
        assert names.of(a) == "w"

    def test_threads_are_told_apart_by_identity(self):
        class Equal(threading.Thread):
            def __eq__(self, other):  # every one equal to every other: keys of one dict entry
                return True

            def __hash__(self):
                return 1

        names = ThreadNames()
        assert [names.of(Equal(name="w")), names.of(Equal(name="w"))] == ["w", "w#2"]
