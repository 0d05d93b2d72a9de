"""The Markdown format: a Mermaid gantt chart a review comment draws as a picture,
then where every thread was, the message and the replay command."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from interlock.models import Budget, Verdict
from interlock.reports import FORMATS, gantt_of, markdown_of, render, render_markdown
from interlock.scenarios import load_scenario
from interlock.subjects import load_target
from interlock.verify import SubjectReport, Verifier
from tests.browser import parse_gantt, render_mermaid, require_browser
from tests.kit import subject

# Two views as iter_violations made them: article_queue's broken limit (five
# FileGetter threads, one download each, all in flight at t=0) and
# empty_check_pool's deadlock (four failed downloads, four threads finished).
VIEWS = json.loads(Path(__file__).with_name("views_fixture.json").read_text(encoding="utf-8"))
LIMIT, DEADLOCK = VIEWS

HEADER = ["gantt", "    dateFormat x", "    axisFormat %S.%L", "    todayMarker off"]


def mermaid_block(markdown: str) -> str:
    (block,) = re.findall(r"^```mermaid\n(.*?)\n```$", markdown, re.S | re.M)
    return block


def download(url, thread, start, end, *, ok=True, crit=False):
    return {
        "url": url,
        "thread": thread,
        "start": start,
        "end": end,
        "ok": ok,
        "in_flight_at_violation": crit,
    }


def view_with(downloads, *, at=0.75, end=1.5, **changes):
    """The limit view with other downloads, violation time and end."""
    view = copy.deepcopy(LIMIT)
    view.update(downloads=downloads, end=end, **changes)
    view["violation"]["at"] = at
    return view


MIXED = view_with(
    [
        download("u0", "Thread-1", 0.0, 0.5),
        download("u1", "Thread-1", 0.5, 1.5, crit=True),
        download("u2", "Thread-2", 0.25, 1.0, ok=False, crit=True),
        download("u3", "Thread-3", 0.0, 0.25),
    ]
)


class TestChart:
    """The gantt chart: header, one section per thread, one bar per download."""

    def test_the_fixture_chart_line_by_line(self):
        assert gantt_of(LIMIT).splitlines() == [
            *HEADER,
            "    section Thread-3",
            "    u0 : crit, d0, 0, 3000",
            "    section Thread-4",
            "    u1 : crit, d1, 0, 3000",
            "    section Thread-5",
            "    u2 : crit, d2, 0, 3000",
            "    section Thread-6",
            "    u3 : crit, d3, 0, 3000",
            "    section Thread-7",
            "    u4 : crit, d4, 0, 3000",
            "    section violation",
            "    5 in flight (limit 4) : crit, milestone, v, 0, 0ms",
        ]

    def test_a_deadlock_has_no_crit_bar_and_its_milestone_at_the_end(self):
        lines = gantt_of(DEADLOCK).splitlines()
        assert lines[:4] == HEADER
        assert [line for line in lines if "section" in line] == [
            "    section Thread-1",
            "    section Thread-2",
            "    section Thread-3",
            "    section Thread-4",
            "    section violation",
        ]
        assert [line for line in lines if " : " in line] == [
            "    u0 : d0, 0, 1000",
            "    u1 : d1, 0, 2000",
            "    u2 : d2, 0, 2000",
            "    u3 : d3, 0, 1000",
            "    no_deadlock broken : crit, milestone, v, 2000, 0ms",
        ]

    def test_a_thread_with_several_downloads_has_one_section_for_them(self):
        lines = gantt_of(MIXED).splitlines()[4:]
        assert lines == [
            "    section Thread-1",
            "    u0 : d0, 0, 500",
            "    u1 : crit, d1, 500, 1500",
            "    section Thread-2",
            "    u2 : crit, d2, 250, 1000",
            "    section Thread-3",
            "    u3 : d3, 0, 250",
            "    section violation",
            "    5 in flight (limit 4) : crit, milestone, v, 750, 0ms",
        ]

    def test_crit_marks_exactly_the_downloads_in_flight_at_the_violation(self):
        bars = [line for line in gantt_of(MIXED).splitlines() if ", d" in line]
        assert [line.split(" : ")[0].strip() for line in bars if "crit" in line] == ["u1", "u2"]

    def test_colon_and_hash_are_written_as_entities(self):
        view = view_with(
            [
                download("http://host/a#1", "Thread-1", 0.0, 0.5),
                download("GET: b #2; c", "Thread #2: w", 0.0, 0.5),
            ]
        )
        lines = gantt_of(view).splitlines()
        assert "    http#58;//host/a#35;1 : d0, 0, 500" in lines
        assert "    GET#58; b #35;2; c : d1, 0, 500" in lines
        # A section name is shown as written, ":" and "#" included.
        assert "    section Thread #2: w" in lines

    def test_leading_keywords_get_a_prefix_and_newlines_a_space(self):
        view = view_with(
            [
                download("section a", "T", 0.0, 0.5),
                download("Click b", "T", 0.0, 0.5),
                download("2024-01-01 c", "T", 0.0, 0.5),
                download("%% d", "T", 0.0, 0.5),
                download("sectioning\ne", "T", 0.0, 0.5),
            ]
        )
        names = [line.split(" : ")[0].strip() for line in gantt_of(view).splitlines()[5:10]]
        assert names == [
            "task section a",
            "task Click b",
            "task 2024-01-01 c",
            "task %% d",
            "sectioning e",
        ]

    def test_times_are_integer_milliseconds_and_every_bar_shows(self):
        view = view_with(
            [
                download("u0", "T", 0.2505, 0.7504),
                download("u1", "T", 0.5, 0.5),  # zero-length: 1 ms
                download("u2", "T", 0.3, None),  # did not end: ends with the run
            ],
            at=0.30000000000000004,
            end=2.0,
        )
        assert gantt_of(view).splitlines()[5:] == [
            "    u0 : d0, 250, 750",
            "    u1 : d1, 500, 501",
            "    u2 : d2, 300, 2000",
            "    section violation",
            "    5 in flight (limit 4) : crit, milestone, v, 300, 0ms",
        ]

    def test_a_run_longer_than_a_minute_labels_minutes(self):
        view = view_with([download("u0", "T", 0.0, 75.0)], at=10.0, end=75.0)
        assert gantt_of(view).splitlines()[2] == "    axisFormat %M:%S"

    def test_no_download_leaves_the_milestone_alone(self):
        view = view_with([], at=0.0, end=0.0, invariant="no_crash")
        assert gantt_of(view).splitlines()[4:] == [
            "    section violation",
            "    no_crash broken : crit, milestone, v, 0, 0ms",
        ]


class TestMarkdown:
    """The whole block: heading, chart, threads, message, replay."""

    def test_the_fixture_block(self):
        text = markdown_of(LIMIT)
        assert text.splitlines()[:4] == [
            "### `article_queue` breaks `max_in_flight`: "
            "never more than 4 downloads in flight at once",
            "",
            "Scenario tiny: 5 URLs, limit 4, 0 failing; controlled runtime; "
            "the run ended at t=3.000s (returned).",
            "",
        ]
        assert mermaid_block(text) == gantt_of(LIMIT)
        after = text.split("\n```\n", 1)[1].splitlines()
        assert after == [
            "",
            "Where every thread was at t=0.000s, when the limit broke:",
            "",
            "| thread | state at the violation | where |",
            "| --- | --- | --- |",
            "| MainThread | Thread.join: waits for Thread-1 (producer) to end "
            "| `article_queue.py:116 in get_files` |",
            "| Thread-1 (producer) | running; next it blocks in Queue.put: queue full (3 of 3) "
            "at article_queue.py:95 in producer | `article_queue.py:94 in producer` |",
            "| Thread-3 (FileGetter) | downloading u0 (since t=0.000s) "
            "| `article_queue.py:80 in run` |",
            "| Thread-2 (consumer) | Thread.join: waits for Thread-3 to end "
            "| `article_queue.py:106 in consumer` |",
            "| Thread-4 (FileGetter) | downloading u1 (since t=0.000s) "
            "| `article_queue.py:80 in run` |",
            "| Thread-5 (FileGetter) | downloading u2 (since t=0.000s) "
            "| `article_queue.py:80 in run` |",
            "| Thread-6 (FileGetter) | downloading u3 (since t=0.000s) "
            "| `article_queue.py:80 in run` |",
            "| Thread-7 (FileGetter) | starts downloading u4: the 5th in flight "
            "| `article_queue.py:80 in run` |",
            "",
            "**max_in_flight**: 5 downloads in flight at t=0.000s (u0 u1 u2 u3 u4); limit is 4",
            "",
            f"Replay it: `interlock replay {LIMIT['replay']}`",
        ]

    def test_finished_threads_and_the_moment_of_a_deadlock(self):
        lines = markdown_of(DEADLOCK).splitlines()
        assert "Where every thread was when the run ended (deadlock):" in lines
        table = [line for line in lines if line.startswith("| ")]
        assert table[2:] == [
            "| MainThread | Queue.join: 6 unfinished task(s) | `empty_check_pool.py:92 in process` |",
            "| Thread-1 | finished |  |",
            "| Thread-2 | finished |  |",
            "| Thread-3 | finished |  |",
            "| Thread-4 | finished |  |",
        ]
        assert "no live thread can call task_done()" in markdown_of(DEADLOCK)

    def test_an_underscore_is_escaped_only_where_it_could_mean_emphasis(self):
        view = copy.deepcopy(DEADLOCK)
        view["violation"]["message"] = "__init__ of my_pool not called: _x_"
        assert markdown_of(view).splitlines()[-3] == (
            r"**no_deadlock**: \_\_init\_\_ of my_pool not called: \_x\_"
        )

    def test_pipes_and_markup_in_cells_are_escaped(self):
        view = copy.deepcopy(LIMIT)
        view["threads"] = [
            {
                "name": "a|b",
                "state": "waits <on> *x* | `y`",
                "where": "f.py:1 in g|h",
                "alive": True,
            }
        ]
        (row,) = [line for line in markdown_of(view).splitlines() if line.startswith("| a")]
        assert row == r"| a\|b | waits \<on\> \*x\* \| \`y\` | `f.py:1 in g\|h` |"

    def test_what_a_running_thread_does_next(self):
        view = copy.deepcopy(LIMIT)
        view["threads"] = [
            {"name": "T", "state": "running", "where": "f.py:1", "alive": True, "next": "ends"}
        ]
        assert "| T | running; next it ends | `f.py:1` |" in markdown_of(view).splitlines()

    def test_without_threads_or_replay(self):
        view = copy.deepcopy(LIMIT)
        view.update(threads=[], replay=None)
        text = markdown_of(view)
        assert "| thread |" not in text
        assert "interlock replay" not in text
        assert text.endswith("limit is 4")


def download_all(urls, fetch, limit):
    return []


def report(*verdicts, name="good", **fields):
    return SubjectReport(
        subject(download_all, name=name), "controlled", list(verdicts), runs=3, **fields
    )


class TestFormat:
    """``--format markdown``: every violation, or one line per subject without one."""

    def test_registered(self):
        assert FORMATS["markdown"].render is render_markdown

    def test_subjects_without_a_violation_to_draw(self):
        held = report(Verdict("max_in_flight", True, "held"))
        unrecorded = report(Verdict("no_crash", False, "raised"), name="bad_pool")
        unjudged = report(Verdict("no_crash", True, "held"), name="odd", unsupported="forks")
        assert render("markdown", [held, unrecorded, unjudged]).splitlines() == [
            "good: every invariant held",
            "",
            "bad_pool: broke no_crash, with no recorded run to draw",
            "",
            "odd: not judged: forks",
        ]
        assert render("markdown", []) == "no subjects"


@pytest.fixture(scope="module")
def article_queue():
    """article_queue verified on the tiny scenario: five threads start at once, limit 4."""
    verifier = Verifier(budget=Budget(runs=30, generated=0))
    return verifier.verify(load_target("article_queue"), [load_scenario("tiny")])


def test_end_to_end_article_queue_shows_5_in_flight_at_limit_4(article_queue):
    text = render("markdown", [article_queue])
    assert text.startswith("### `article_queue` breaks `max_in_flight`: never more than 4")
    chart = mermaid_block(text).splitlines()
    assert chart[-1] == "    5 in flight (limit 4) : crit, milestone, v, 0, 0ms"
    assert sum(": crit, d" in line for line in chart) == 5
    assert "**max_in_flight**: 5 downloads in flight at t=0.000s" in text
    assert re.search(r"^Replay it: `interlock replay il1\.\S+`$", text, re.M)


# --------------------------------------------------------------------------- in a browser

RENDER_TIMEOUT = 60


@pytest.fixture
def mermaid():
    require_browser()


def test_mermaid_draws_the_fixture_chart(mermaid):
    gantt = parse_gantt(render_mermaid(mermaid_block(markdown_of(LIMIT)), timeout=RENDER_TIMEOUT))
    threads = ["Thread-3", "Thread-4", "Thread-5", "Thread-6", "Thread-7"]
    assert gantt.sections == [*threads, "violation"]
    for index, thread in enumerate(threads):
        (bar,) = gantt.bars(thread)
        assert (bar.id, bar.label) == (f"d{index}", f"u{index}")
        assert any(c.startswith("crit") for c in bar.classes)
    (milestone,) = gantt.milestones("violation")
    assert (milestone.id, milestone.label) == ("v", "5 in flight (limit 4)")
    # At t=0, where every bar starts.
    assert milestone.x + milestone.width / 2 == pytest.approx(gantt.task("d0").x, abs=3)


def test_mermaid_draws_names_sections_and_times_as_written(mermaid):
    view = view_with(
        [
            download("http://host/a#1", "Thread-1", 0.0, 0.5),
            download("u1", "Thread-1", 0.5, 1.5, crit=True),
            download("GET: b", "Thread #2", 0.25, 1.0, ok=False, crit=True),
            download("section c", "Thread-3", 0.0, 0.25),
        ]
    )
    gantt = parse_gantt(render_mermaid(gantt_of(view), timeout=RENDER_TIMEOUT))
    assert gantt.sections == ["Thread-1", "Thread #2", "Thread-3", "violation"]
    assert [(b.label, b.section) for b in gantt.bars()] == [
        ("http://host/a#1", "Thread-1"),
        ("u1", "Thread-1"),
        ("GET: b", "Thread #2"),
        ("task section c", "Thread-3"),
    ]
    crit = [b.id for b in gantt.bars() if any(c.startswith("crit") for c in b.classes)]
    assert crit == ["d1", "d2"]
    a, b, c = (gantt.task(i) for i in ("d0", "d1", "d2"))
    assert b.width == pytest.approx(2 * a.width, abs=3)  # 1 s and 0.5 s
    assert c.x == pytest.approx(a.x + a.width / 2, abs=3)  # starts at 0.25 s
    (milestone,) = gantt.milestones("violation")
    assert milestone.x + milestone.width / 2 == pytest.approx(a.x + 1.5 * a.width, abs=3)
