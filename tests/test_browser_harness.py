"""The browser harness itself (tests/browser.py): Mermaid gantt charts and a
self-contained HTML file rendered in headless Chromium, read back as markup.

Each test starts one Chromium (about 1.5-2.5 s, so none is marked slow); they
skip without a browser (run .ci/install-browser) unless INTERLOCK_REQUIRE_BROWSER=1,
where they fail.
"""

from __future__ import annotations

import os
import tempfile
import textwrap

import pytest

from tests import browser
from tests.browser import (
    BrowserError,
    MermaidError,
    parse_dom,
    parse_gantt,
    render_html,
    render_mermaid,
    require_browser,
)

# A render takes 1.5-2.5 s on an idle machine; the limit is for a loaded one (a
# parallel test run on 2 cores), below pytest-timeout's 120 s per test.
# Mermaid rounds coordinates to whole pixels, hence the 3 px tolerances below.
RENDER_TIMEOUT = 60


@pytest.fixture
def chromium():
    require_browser(mermaid=False)


@pytest.fixture
def mermaid():
    require_browser()


# Two threads, three downloads and a violation, at millisecond resolution:
# ``dateFormat x`` reads integer Unix milliseconds for starts and ends alike.
GANTT_MS = textwrap.dedent(
    """\
    gantt
        title lost update, seed 7
        dateFormat x
        axisFormat %S.%L
        todayMarker off
        section Thread-1
        GET /a : t1d0, 0, 500
        GET /b : t1d1, 500, 1500
        section Thread-2
        GET /c #35;2 : t2d0, 250, 1250
        lost update#58; total 1 : crit, milestone, v, 1250, 0ms
    """
)


def test_gantt_bars_milestone_sections_and_labels(mermaid):
    svg = render_mermaid(GANTT_MS, timeout=RENDER_TIMEOUT)
    assert svg.startswith("<svg") and 'aria-roledescription="gantt"' in svg
    # How Mermaid marks them: <rect class="task ..."> per task, "milestone" among
    # the classes of a milestone, ids "<svg id>-<task id>".
    dom = parse_dom(svg)
    task_rects = [r for r in dom.iter("rect") if "task" in r.get("class", "")]
    assert len(task_rects) == 4
    assert sum("milestone" in r.classes for r in task_rects) == 1

    gantt = parse_gantt(svg)
    assert gantt.title == "lost update, seed 7"
    assert gantt.sections == ["Thread-1", "Thread-2"]
    assert [(t.id, t.label) for t in gantt.bars("Thread-1")] == [
        ("t1d0", "GET /a"),
        ("t1d1", "GET /b"),
    ]
    assert [(t.id, t.label) for t in gantt.bars("Thread-2")] == [("t2d0", "GET /c #2")]
    assert len(gantt.bars()) == 3
    (violation,) = gantt.milestones()
    assert (violation.id, violation.label, violation.section) == (
        "v",
        "lost update: total 1",
        "Thread-2",
    )
    assert "crit1" in violation.classes  # a tag replaces "taskN" (N: section index)

    # Geometry: widths follow durations (0.5 s, 1 s, 1 s), bars start where they should.
    a, b, c = gantt.task("t1d0"), gantt.task("t1d1"), gantt.task("t2d0")
    assert b.width == pytest.approx(2 * a.width, abs=3)
    assert c.width == pytest.approx(b.width, abs=3)
    assert b.x == pytest.approx(a.x + a.width, abs=3)
    assert c.x == pytest.approx(a.x + a.width / 2, abs=3)
    # A milestone is a square centred on its time (1.25 s, the end of GET /c).
    assert violation.x + violation.width / 2 == pytest.approx(c.x + c.width, abs=3)


def test_gantt_in_seconds_with_durations(mermaid):
    # ``dateFormat X`` (Unix seconds) is only safe with 0 or ``after`` starts and
    # durations; see MERMAID_NOTES.md for what integer starts do there.
    svg = render_mermaid(
        textwrap.dedent(
            """\
            gantt
                dateFormat X
                axisFormat %S
                todayMarker off
                section main
                download 1 : d1, 0, 1s
                download 2 : d2, after d1, 0.5s
                section worker
                download 3 : d3, 0, 2s
                violation : milestone, v, after d2, 0s
            """
        ),
        timeout=RENDER_TIMEOUT,
    )
    gantt = parse_gantt(svg)
    assert gantt.sections == ["main", "worker"]
    assert [t.label for t in gantt.bars("main")] == ["download 1", "download 2"]
    assert [t.label for t in gantt.bars("worker")] == ["download 3"]
    assert [t.label for t in gantt.milestones("worker")] == ["violation"]
    d1, d2, d3 = (gantt.task(name) for name in ("d1", "d2", "d3"))
    assert d1.width == pytest.approx(2 * d2.width, abs=3)
    assert d3.width == pytest.approx(4 * d2.width, abs=3)
    assert d2.x == pytest.approx(d1.x + d1.width, abs=3)


def test_mermaid_quirk_integer_start_with_dateformat_X_is_milliseconds(mermaid):
    # Canary for MERMAID_NOTES.md: with ``dateFormat X`` an integer start is read
    # as milliseconds (5 -> 5 ms) but an integer end as seconds. If a Mermaid
    # upgrade changes this, the notes need updating.
    gantt = parse_gantt(
        render_mermaid(
            "gantt\n  dateFormat X\n  todayMarker off\n  section s\n"
            "  a : a, 0, 1s\n  b : b, 1000, 1s\n  c : c, 0, 2\n",
            timeout=RENDER_TIMEOUT,
        )
    )
    a, b, c = gantt.task("a"), gantt.task("b"), gantt.task("c")
    assert b.x == pytest.approx(a.x + a.width, abs=3)  # start 1000 = 1 s
    assert c.width == pytest.approx(2 * a.width, abs=3)  # end 2 = 2 s


def test_broken_mermaid_raises_with_mermaids_message(mermaid):
    with pytest.raises(MermaidError) as caught:
        render_mermaid(
            "gantt\n  dateFormat x\n  section s\n  a task without data\n",
            timeout=RENDER_TIMEOUT,
        )
    message = str(caught.value)
    assert "Parse error on line 4" in message
    assert "Expecting 'taskData'" in message


SELF_CONTAINED_HTML = """\
<!doctype html>
<html><head><meta charset="utf-8"><title>run report</title>
<style>rect.bar { fill: steelblue; } rect.bar:hover { fill: orange; }</style></head>
<body>
<svg xmlns="http://www.w3.org/2000/svg" width="400" height="80" viewBox="0 0 400 80">
  <rect class="bar" x="0" y="0" width="100" height="20"><title>GET /a: 0.0-0.5 s</title></rect>
  <rect class="bar" x="100" y="25" width="200" height="20"><title>GET /b: 0.5-1.5 s</title></rect>
  <rect class="bar" x="50" y="50" width="200" height="20"><title>GET /c: 0.25-1.25 s</title></rect>
</svg>
<script>
  // Proof that scripts ran before the DOM was read, including a timer.
  document.body.setAttribute("data-bars", document.querySelectorAll("rect.bar").length);
  setTimeout(function () { document.body.setAttribute("data-later", "yes"); }, 500);
</script>
</body></html>
"""


def test_render_html_sees_inline_svg_titles_and_script_effects(chromium, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(SELF_CONTAINED_HTML, encoding="utf-8")
    dom = parse_dom(render_html(page, timeout=RENDER_TIMEOUT))
    bars = dom.find_all("rect", class_="bar")
    assert [bar.find_all("title")[0].text() for bar in bars] == [
        "GET /a: 0.0-0.5 s",
        "GET /b: 0.5-1.5 s",
        "GET /c: 0.25-1.25 s",
    ]
    (body,) = dom.find_all("body")
    assert body.get("data-bars") == "3"
    assert body.get("data-later") == "yes"


def test_timeout_kills_every_chromium_process_and_removes_temp_files(
    chromium, tmp_path, monkeypatch
):
    page = tmp_path / "hang.html"
    page.write_text("<html><body><script>for (;;) {}</script></body></html>", encoding="utf-8")
    token = "test-" + os.urandom(8).hex()
    monkeypatch.setattr(browser, "_new_token", lambda: token)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(BrowserError, match="did not finish within 3 s"):
        render_html(page, timeout=3)
    assert browser._marked_pids(token) == []
    assert list(scratch.iterdir()) == []


def test_require_browser_skips_or_fails_when_missing(monkeypatch):
    monkeypatch.setattr(browser, "find_chromium", lambda: None)
    monkeypatch.delenv("INTERLOCK_REQUIRE_BROWSER", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match=r"chromium not installed.*\.ci/install-browser"
    ):
        require_browser(mermaid=False)
    monkeypatch.setenv("INTERLOCK_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="chromium not installed"):
        require_browser(mermaid=False)
