"""The simulated world: task specs, payloads, the fake downloader and the trace."""

from __future__ import annotations

import pickle

import pytest

from interlock.models import (
    DownloadFailed,
    Event,
    FakeDownloader,
    InvalidScenario,
    Scenario,
    TaskSpec,
    Trace,
    UnknownURL,
    classify_result,
    identify_payload,
    make_payload,
)


def scenario(*tasks, limit=2, seed=7, **kw):
    return Scenario("t", tuple(tasks), limit, seed=seed, **kw)


class TestTaskSpec:
    """A task spec rejects what cannot be downloaded."""

    @pytest.mark.parametrize(
        ("kwargs", "pattern"),
        [
            ({"url": ""}, r"'url' must be a non-empty string \(got ''\)"),
            (
                {"url": "u", "duration": -1},
                r"'duration' of 'u' must be a finite number >= 0 \(got -1\)",
            ),
            ({"url": "u", "duration": "1"}, r"'duration' of 'u' must be a number \(got '1'\)"),
            ({"url": "u", "duration": float("nan")}, r"finite number >= 0 \(got nan\)"),
            ({"url": "u", "fails": 1}, r"'fails' of 'u' must be true or false \(got 1\)"),
            ({"url": "u", "size": -3}, r"'size' of 'u' must be an integer >= 0 \(got -3\)"),
        ],
    )
    def test_rejects(self, kwargs, pattern):
        with pytest.raises(InvalidScenario, match=pattern):
            TaskSpec(**kwargs)


class TestScenario:
    """A scenario checks its limit, its URLs and its budget."""

    def test_limit_must_be_positive(self):
        with pytest.raises(InvalidScenario, match=r"'limit' must be an integer >= 1 \(got 0\)"):
            scenario(limit=0)

    def test_duplicate_url(self):
        with pytest.raises(InvalidScenario, match="URL 'u' appears twice in scenario 't'"):
            scenario(TaskSpec("u"), TaskSpec("u"))

    def test_budget_must_be_positive(self):
        with pytest.raises(InvalidScenario, match=r"'budget' must be > 0"):
            scenario(budget=0)

    def test_default_budget_allows_everything_in_series(self):
        s = scenario(TaskSpec("a", 3), TaskSpec("b", 5))
        assert s.time_budget == 2 * 8 + 10
        assert scenario(budget=4.0).time_budget == 4.0

    def test_describe_and_lookup(self):
        s = scenario(TaskSpec("a"), TaskSpec("b", fails=True), limit=3)
        assert s.describe() == "t: 2 URLs, limit 3, 1 failing"
        assert s.urls == ["a", "b"]
        assert s.task("b").fails and s.task("zz") is None

    def test_pickles(self):
        s = scenario(TaskSpec("a"), TaskSpec("b"))
        again = pickle.loads(pickle.dumps(s))
        assert again == s and again.task("b") == s.task("b")


class TestPayloads:
    """Payloads are deterministic and name their URL."""

    def test_deterministic_and_sized(self):
        assert make_payload(1, "u", 100) == make_payload(1, "u", 100)
        assert len(make_payload(1, "u", 100)) == 100
        assert make_payload(1, "u", 100) != make_payload(2, "u", 100)

    def test_header_survives_tiny_sizes(self):
        assert identify_payload(make_payload(3, "doc-1.xml", 0)) == (3, "doc-1.xml")

    @pytest.mark.parametrize(
        "junk", [b"", b"hello", "interlock|1|u|", b"interlock|x|u|", b"interlock|1"]
    )
    def test_junk_is_not_a_payload(self, junk):
        assert identify_payload(junk) is None

    def test_classify(self):
        s = scenario(TaskSpec("a", size=80), TaskSpec("b"))
        good = make_payload(7, "a", 80)
        assert classify_result(good, s).kind == "payload"
        assert classify_result(good, s).intact
        assert not classify_result(good[:-1] + b"!", s).intact
        assert not classify_result(make_payload(8, "a", 80), s).intact  # wrong seed
        assert classify_result(None, s).kind == "none"
        err = classify_result(DownloadFailed("b"), s)
        assert (err.kind, err.url) == ("error", "b")
        wrapped = classify_result(RuntimeError("while fetching b"), s)
        assert (wrapped.kind, wrapped.url) == ("error", "b")
        assert classify_result(RuntimeError("??"), s).url is None
        other = classify_result("x" * 100, s)
        assert other.kind == "other" and other.detail.endswith("...")

    def test_classify_follows_the_cause_chain(self):
        s = scenario(TaskSpec("a"), TaskSpec("ab"))
        try:
            try:
                raise DownloadFailed("ab")
            except OSError as inner:
                raise ValueError("wrapped") from inner
        except ValueError as exc:
            assert classify_result(exc, s).url == "ab"


class TestFakeDownloader:
    """fetch records a start, waits, and records a finish or a failure."""

    def test_records_and_returns(self):
        s = scenario(TaskSpec("a", 0), TaskSpec("b", 0, fails=True))
        d = FakeDownloader(s, scale=0.001)
        assert d.fetch("a") == make_payload(7, "a", 64)
        with pytest.raises(DownloadFailed, match="download failed: b") as info:
            d("b")
        assert isinstance(info.value, OSError) and info.value.url == "b"
        kinds = [(e.kind, e.url) for e in d.trace]
        assert kinds == [("start", "a"), ("finish", "a"), ("start", "b"), ("fail", "b")]
        assert {e.thread for e in d.trace} == {"MainThread"}

    def test_unknown_url(self):
        d = FakeDownloader(scenario(TaskSpec("a", 0)))
        with pytest.raises(UnknownURL, match="not in the scenario: 'nope'"):
            d.fetch("nope")
        assert [(e.kind, e.url) for e in d.trace] == [("unknown", "nope")]

    def test_errors_pickle_with_their_url(self):
        for exc in (DownloadFailed("u"), UnknownURL("v")):
            again = pickle.loads(pickle.dumps(exc))
            assert type(again) is type(exc) and again.url == exc.url


def ev(seq, kind, url, t, thread="T"):
    return Event(seq, kind, url, thread, t)


class TestTrace:
    """Overlap is decided by event order; the peak names its witnesses."""

    def test_peak_and_witnesses(self):
        trace = Trace(
            [
                ev(0, "start", "a", 0.0),
                ev(1, "start", "b", 0.0),
                ev(2, "finish", "a", 1.0),
                ev(3, "start", "c", 1.0),
                ev(4, "start", "d", 1.5),
                ev(5, "fail", "b", 2.0),
            ]
        )
        peak = trace.max_in_flight()
        assert (peak.count, peak.time, peak.urls) == (3, 1.5, ("b", "c", "d"))
        assert [row[2] for row in trace.in_flight()] == [1, 2, 1, 2, 3, 2]

    def test_back_to_back_at_the_same_time_is_no_overlap(self):
        trace = Trace([ev(0, "start", "a", 0), ev(1, "finish", "a", 0), ev(2, "start", "b", 0)])
        assert trace.max_in_flight().count == 1

    def test_intervals_pair_starts_with_ends(self):
        trace = Trace(
            [
                ev(0, "start", "a", 0),
                ev(1, "start", "a", 1),
                ev(2, "finish", "a", 2),
                ev(3, "unknown", "z", 3),
            ]
        )
        intervals = trace.intervals()
        assert [(i.url, i.start, i.end, i.ok) for i in intervals] == [
            ("a", 0, 2, True),
            ("a", 1, None, None),
        ]
        assert len(trace.starts("a")) == 2 and trace.end_time() == 3

    def test_render_is_stable(self):
        trace = Trace([ev(1, "finish", "a", 1.25, "Thread-2"), ev(0, "start", "a", 0, "Thread-2")])
        assert trace.render() == (
            "    0.000s  start   a          Thread-2\n    1.250s  finish  a          Thread-2"
        )
        assert trace == Trace(list(trace)) and hash(trace) == hash(Trace(list(trace)))
        assert repr(trace) == "Trace(2 events)" and len(trace) == 2
        assert Trace().max_in_flight().count == 0 and Trace().end_time() == 0.0
