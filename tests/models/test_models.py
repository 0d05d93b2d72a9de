"""The simulated world: task specs, payloads, the fake downloader and the trace."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from interlock.models import (
    DownloadFailed,
    Event,
    FakeDownloader,
    InvalidScenario,
    RunRecord,
    Scenario,
    TaskSpec,
    ThreadState,
    Trace,
    UnknownURL,
    Verdict,
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
        assert s.time_budget == 10 * 8 + 300  # generous: polling pools need the room
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
        assert trace.in_flight_counts() == (1, 2, 1, 2, 3, 2)

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

    def test_in_flight_counts_ignore_a_stray_end(self):
        trace = Trace(
            [
                ev(0, "start", "a", 0),
                ev(1, "finish", "b", 0),  # b is not in flight: closes nothing
                ev(2, "unknown", "z", 0),
                ev(3, "start", "b", 1),
                ev(4, "fail", "a", 2),
            ]
        )
        assert trace.in_flight_counts() == (1, 1, 1, 2, 1)
        assert not hasattr(trace, "in_flight")  # one series: no second count that disagrees

    def test_in_flight_at_groups_starts_by_url(self):
        trace = Trace(
            [
                ev(0, "start", "a", 0, "T1"),
                ev(1, "start", "b", 0, "T2"),
                ev(2, "start", "a", 1, "T3"),
                ev(3, "finish", "a", 2, "T1"),  # closes the oldest start of a
                ev(4, "start", "c", 2, "T4"),
            ]
        )
        running = trace.in_flight_at(4)
        assert {url: [e.seq for e in starts] for url, starts in running.items()} == {
            "a": [2],
            "b": [1],
            "c": [4],
        }
        assert list(running) == ["a", "b", "c"]
        peak = trace.max_in_flight()
        assert (peak.count, peak.seq, peak.urls) == (3, 2, ("a", "a", "b"))

    def test_pickles_without_its_counts(self):
        trace = Trace([ev(0, "start", "a", 0), ev(1, "finish", "a", 1)])
        assert trace.in_flight_counts() == (1, 0)
        data = pickle.dumps(trace)
        again = pickle.loads(data)
        assert again == trace and again.in_flight_counts() == (1, 0)
        assert b"_in_flight" not in data


class TestValues:
    """Events, records, verdicts and thread states: frozen dataclasses with their own
    quick ``__init__``, which must take exactly the fields, in order, with defaults."""

    VALUES = [
        Event(3, "start", "u1", "Thread-1", 1.5),
        ThreadState("worker-1", waiting_on="Queue.get", stack=("a.py:3 in f",)),
        Verdict("no_crash", False, "it raised", evidence=("line",), replay="tok"),
        RunRecord(
            "s",
            Scenario("t", (TaskSpec("u1"),), 1),
            "controlled",
            Trace([Event(0, "start", "u1", "T", 0.0)]),
            "returned",
            results=(),
            steps=4,
            notes=("n",),
        ),
    ]

    @pytest.mark.parametrize("cls", [Event, ThreadState, Verdict, RunRecord])
    def test_init_takes_the_fields(self, cls):
        params = list(inspect.signature(cls).parameters.values())
        fields = dataclasses.fields(cls)
        assert [p.name for p in params] == [f.name for f in fields]
        for p, f in zip(params, fields, strict=True):
            assert p.default == (
                inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
            )

    @pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
    def test_frozen(self, value):
        name = dataclasses.fields(value)[0].name
        with pytest.raises(
            dataclasses.FrozenInstanceError, match=f"cannot assign to field '{name}'"
        ):
            setattr(value, name, None)

    @pytest.mark.parametrize("value", VALUES, ids=lambda v: type(v).__name__)
    def test_replace_pickle_equality(self, value):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        assert type(value)(**fields) == value and hash(type(value)(**fields)) == hash(value)
        again = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert again == value and type(again) is type(value)
        last = dataclasses.fields(value)[-1].name
        changed = dataclasses.replace(value, **{last: None})
        assert getattr(changed, last) is None and changed != value
        assert {k: getattr(changed, k) for k in fields if k != last} == {
            k: v for k, v in fields.items() if k != last
        }

    def test_repr(self):
        assert repr(Event(0, "start", "a", "T", 1.0)) == (
            "Event(seq=0, kind='start', url='a', thread='T', time=1.0)"
        )
        assert repr(Verdict("x", True, "ok")) == (
            "Verdict(invariant='x', holds=True, message='ok', advisory=False, evidence=(), "
            "scenario=None, replay=None)"
        )
