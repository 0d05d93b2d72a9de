"""The HTML format: one self-contained page, an SVG timeline per violation and its story."""

from __future__ import annotations

import copy
import re

import pytest

from interlock.models import Budget, Verdict
from interlock.reports import FORMATS, html_of, render, render_html
from interlock.scenarios import load_scenario
from interlock.subjects import load_target
from interlock.verify import Verifier
from tests import browser
from tests.browser import parse_dom, require_browser
from tests.reports.test_markdown import DEADLOCK, LIMIT, MIXED, download, report, view_with

# Anything a page could fetch, run or link to.
FORBIDDEN = ("<script", "http://", "https://", "url(", "<link", "@import", "src=", "href=")


def dom_of(view):
    return parse_dom(html_of(view))


def bars(dom):
    return dom.find_all("rect", class_="bar")


def number(node, name):
    return float(node.get(name))


class TestSelfContained:
    """One HTML5 document with its CSS and SVG inline, and nothing to fetch or run."""

    @pytest.mark.parametrize("view", [LIMIT, DEADLOCK, MIXED], ids=["limit", "deadlock", "mixed"])
    def test_nothing_to_fetch_or_run(self, view):
        page = html_of(view)
        for needle in FORBIDDEN:
            assert needle not in page.lower(), needle

    def test_one_document(self):
        page = html_of(LIMIT)
        assert page.startswith('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">')
        assert page.endswith("</body>\n</html>\n")
        dom = parse_dom(page)
        for tag in ("html", "head", "body", "style", "svg"):
            assert len(dom.find_all(tag)) == 1, tag
        (section,) = dom.find_all("section", class_="violation-report")
        assert (section.get("id"), section.get("data-invariant")) == ("v1", "max_in_flight")

    def test_ids_are_unique(self):
        ids = [n.get("id") for n in dom_of(LIMIT).iter() if n.get("id")]
        assert len(ids) == len(set(ids))
        assert {"v1-timeline", "v1-violation", "v1-claim", "v1-message", "v1-steps"} <= set(ids)


class TestTimeline:
    """Lanes of bars on virtual time, the in-flight row and the violation's line."""

    def test_one_bar_per_download_crit_for_those_in_flight(self):
        dom = dom_of(MIXED)
        assert [b.get("data-url") for b in bars(dom)] == ["u0", "u1", "u2", "u3"]
        assert [b.get("data-url") for b in dom.find_all("rect", class_="crit")] == ["u1", "u2"]
        assert [b.get("data-url") for b in dom.find_all("rect", class_="failed")] == ["u2"]
        fixture = dom_of(LIMIT)
        assert len(bars(fixture)) == 5 == len(fixture.find_all("rect", class_="crit"))
        assert dom_of(DEADLOCK).find_all("rect", class_="crit") == []

    def test_every_bar_has_its_detail_as_a_title(self):
        titles = [b.find_all("title")[0].text() for b in bars(dom_of(MIXED))]
        assert titles == [
            "u0 on Thread-1: t=0.000s to t=0.500s, ok",
            "u1 on Thread-1: t=0.500s to t=1.500s, ok; in flight at the violation",
            "u2 on Thread-2: t=0.250s to t=1.000s, failed; in flight at the violation",
            "u3 on Thread-3: t=0.000s to t=0.250s, ok",
        ]

    def test_one_lane_per_thread_and_bars_in_proportion(self):
        dom = dom_of(MIXED)
        labels = [t.children[0] for t in dom.find_all("text", class_="lane-label")]
        assert labels == ["Thread-1", "Thread-2", "Thread-3"]
        u0, u1, u2, u3 = bars(dom)
        assert number(u0, "y") == number(u1, "y") < number(u2, "y") < number(u3, "y")
        assert number(u1, "width") == pytest.approx(2 * number(u0, "width"), abs=0.2)
        assert number(u1, "x") == pytest.approx(number(u0, "x") + number(u0, "width"), abs=0.2)
        assert number(u2, "x") == pytest.approx(number(u3, "x") + number(u3, "width"), abs=0.2)

    def test_the_violation_line_and_its_label(self):
        dom = dom_of(MIXED)
        (line,) = dom.find_all("line", class_="violation")
        u0, u1 = bars(dom)[:2]
        start, end = number(u0, "x"), number(u1, "x") + number(u1, "width")  # t=0, t=1.5
        assert number(line, "x1") == number(line, "x2")
        assert number(line, "x1") == pytest.approx((start + end) / 2, abs=0.2)  # t=0.75
        (label,) = dom.find_all("text", class_="violation-label")
        assert label.text() == "5 in flight (limit 4) at t=0.750s"
        (label,) = dom_of(DEADLOCK).find_all("text", class_="violation-label")
        assert label.text() == "no_deadlock broken at t=2.000s"

    def test_tick_labels_on_virtual_time(self):
        ticks = [t.text() for t in dom_of(LIMIT).find_all("text", class_="tick-label")]
        assert ticks == ["0s", "0.5s", "1s", "1.5s", "2s", "2.5s", "3s"]
        ticks = [t.text() for t in dom_of(MIXED).find_all("text", class_="tick-label")]
        assert ticks == ["0s", "0.2s", "0.4s", "0.6s", "0.8s", "1s", "1.2s", "1.4s"]

    def test_the_in_flight_row(self):
        counts = dom_of(LIMIT).find_all("rect", class_="count")
        assert [(c.get("data-count"), c.classes) for c in counts] == [("5", ["count", "over"])]
        assert counts[0].find_all("title")[0].text() == "5 in flight from t=0.000s to t=3.000s"
        counts = dom_of(MIXED).find_all("rect", class_="count")
        assert [c.get("data-count") for c in counts] == ["2", "2", "2", "1"]

    def test_a_download_that_did_not_end_lasts_until_the_run_ends(self):
        view = view_with([download("u0", "T", 0.0, 0.5), download("u1", "T", 0.5, None, ok=None)])
        first, last = bars(dom_of(view))
        assert last.classes == ["bar", "unfinished"]
        assert last.find_all("title")[0].text() == (
            "u1 on T: t=0.500s to the end of the run, did not end"
        )
        assert number(last, "width") == pytest.approx(2 * number(first, "width"), abs=0.2)

    def test_a_zero_length_download_still_shows(self):
        (bar,) = bars(dom_of(view_with([download("u0", "T", 0.5, 0.5)])))
        assert number(bar, "width") == 2

    def test_no_download_no_picture(self):
        dom = dom_of(view_with([], at=0.0, end=0.0, invariant="no_crash"))
        assert dom.find_all("svg") == []
        (note,) = dom.find_all("p", class_="no-downloads")
        assert note.text() == "No download started: nothing to draw."


class TestStory:
    """The claim, the message, where every thread was, the steps and the replay."""

    def test_claim_message_and_replay(self):
        dom = dom_of(LIMIT)
        (claim,) = dom.find_all("p", class_="claim")
        assert claim.text() == "Claim: never more than 4 downloads in flight at once"
        (message,) = dom.find_all("p", class_="message")
        assert message.text() == (
            "max_in_flight: 5 downloads in flight at t=0.000s (u0 u1 u2 u3 u4); limit is 4"
        )
        (replay,) = dom.find_all("code")[-1:]
        assert (replay.get("id"), replay.text()) == (
            "v1-replay",
            f"interlock replay {LIMIT['replay']}",
        )

    def test_where_every_thread_was(self):
        dom = dom_of(LIMIT)
        assert "Where every thread was at t=0.000s, when the limit broke" in [
            h.text() for h in dom.find_all("h3")
        ]
        items = dom.find_all("ul", class_="threads")[0].find_all("li")
        assert [li.text() for li in items[:2]] == [
            "MainThread: Thread.join: waits for Thread-1 (producer) to end "
            "article_queue.py:116 in get_files",
            "Thread-1 (producer): running; next it blocks in Queue.put: queue full (3 of 3) "
            "at article_queue.py:95 in producer article_queue.py:94 in producer",
        ]
        assert len(items) == len(LIMIT["threads"])
        finished = dom_of(DEADLOCK).find_all("li", class_="finished")
        assert [li.text() for li in finished] == [f"Thread-{i}: finished" for i in range(1, 5)]

    def test_numbered_steps_with_the_moment_marked(self):
        (steps,) = dom_of(LIMIT).find_all("ol", class_="steps")
        items = steps.find_all("li")
        assert [li.get("value") for li in items] == [str(s["n"]) for s in LIMIT["steps"]]
        assert items[0].text() == (
            "t=0.000s MainThread starts thread Thread-1 (producer) at article_queue.py:114 in get_files"
        )
        (moment,) = steps.find_all("li", class_="moment")
        assert moment.get("value") == "14"
        assert moment.text().endswith(
            "starts downloading u4 at article_queue.py:80 in run \u2190 5 in flight (limit 4)"
        )

    def test_text_is_escaped(self):
        view = copy.deepcopy(MIXED)
        view["downloads"][0].update(url='<b>&"x', thread="T<1>")
        view["violation"]["message"] = "<script>alert(1)</script> & more"
        view["threads"][0]["state"] = "<i>waits</i>"
        page = html_of(view)
        assert "<b>" not in page and "<script" not in page and "<i>" not in page
        dom = parse_dom(page)
        assert bars(dom)[0].get("data-url") == '<b>&"x'
        assert (
            dom.find_all("p", class_="message")[0]
            .text()
            .endswith("<script>alert(1)</script> & more")
        )
        assert "<i>waits</i>" in dom.find_all("ul", class_="threads")[0].text()


class TestFormat:
    """``--format html``: one page for every subject."""

    def test_registered(self):
        assert FORMATS["html"].render is render_html

    def test_a_page_without_violations(self):
        dom = parse_dom(render("html", [report(Verdict("max_in_flight", True, "held"))]))
        assert [p.text() for p in dom.find_all("p", class_="held")] == [
            "good: every invariant held"
        ]
        assert dom.find_all("title")[0].text() == "interlock: 0 violations"
        assert parse_dom(render("html", [])).find_all("p")[0].text() == "no subjects"


@pytest.fixture(scope="module")
def article_queue():
    """article_queue on tiny (five threads start at once, limit 4) and all_fail."""
    verifier = Verifier(budget=Budget(runs=30, generated=0))
    scenarios = [load_scenario("tiny"), load_scenario("all_fail")]
    return verifier.verify(load_target("article_queue"), scenarios)


def test_end_to_end_article_queue_shows_5_in_flight_at_limit_4(article_queue):
    page = render("html", [article_queue, report(Verdict("max_in_flight", True, "held"))])
    assert page.count("<!doctype html>") == 1
    for needle in FORBIDDEN:
        assert needle not in page.lower(), needle
    dom = parse_dom(page)
    sections = dom.find_all("section", class_="violation-report")
    assert [s.get("data-invariant") for s in sections] == ["max_in_flight", "errors_reported"]
    first = sections[0]
    assert len(bars(first)) == 5 == len(first.find_all("rect", class_="crit"))
    (label,) = first.find_all("text", class_="violation-label")
    assert label.text() == "5 in flight (limit 4) at t=0.000s"
    assert "5 downloads in flight at t=0.000s" in first.find_all("p", class_="message")[0].text()
    assert re.fullmatch(r"interlock replay il1\.\S+", first.find_all("code")[-1].text())
    assert sections[1].get("id") == "v2" and sections[1].find_all("line", class_="violation")
    assert dom.find_all("p", class_="held")[0].text() == "good: every invariant held"


# --------------------------------------------------------------------------- in a browser


@pytest.fixture
def chromium():
    require_browser(mermaid=False)


def test_chromium_shows_the_timeline_and_the_story(chromium, tmp_path):
    page = tmp_path / "violation.html"
    page.write_text(html_of(MIXED), encoding="utf-8")
    dom = parse_dom(browser.render_html(page, timeout=60))
    (svg,) = dom.find_all("svg", class_="timeline")
    shown = svg.find_all("rect", class_="bar")
    assert [b.get("data-url") for b in shown] == ["u0", "u1", "u2", "u3"]
    assert [b.get("data-url") for b in svg.find_all("rect", class_="crit")] == ["u1", "u2"]
    assert all(len(b.find_all("title")) == 1 for b in shown)
    (line,) = svg.find_all("line", class_="violation")
    assert line.get("x1") == line.get("x2")
    assert svg.find_all("text", class_="violation-label")[0].text() == (
        "5 in flight (limit 4) at t=0.750s"
    )
    body = dom.find_all("body")[0].text()
    for text in (
        "never more than 4 downloads in flight at once",
        "5 downloads in flight at t=0.000s (u0 u1 u2 u3 u4); limit is 4",
        "Thread-7 (FileGetter): starts downloading u4: the 5th in flight",
        f"interlock replay {LIMIT['replay']}",
    ):
        assert text in body
    assert len(dom.find_all("ol", class_="steps")[0].find_all("li")) == len(LIMIT["steps"])
