"""``errors_reported``: each failing URL's exception comes back among the results."""

from __future__ import annotations

from ..models import ResultItem, RunRecord, Verdict
from ..models.events import FAIL, START
from ._common import (
    at,
    deaths,
    excused,
    judged_results,
    not_returned,
    owed_nothing,
    plural,
    scenario_facts,
    url_list,
)
from ._registry import invariant

__all__ = ["errors_reported"]

NAME = "errors_reported"
# The common verdict, made once: a verdict is immutable, so every run can share it.
_NONE_SCRIPTED = Verdict(NAME, True, "no URL is scripted to fail")
_EVIDENCE_LINES = 20


@invariant(
    NAME,
    column="errors",
    order=40,
    summary="every failed download's exception is among the results, naming its URL",
)
def errors_reported(record: RunRecord) -> Verdict:
    """A failure is reported when an error item names its URL (the exception itself, or
    one wrapping it whose cause or message names the URL). A None, a missing item or an
    exception that names no URL leaves the caller unable to tell what failed. A subject
    that promises fail-fast owes nothing for the URLs it never started once a download
    failed."""
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}")
    failing = scenario_facts(record.scenario).failing
    if not failing:
        return _NONE_SCRIPTED
    results = record.results or ()
    reported = {r.url for r in results if r.kind == "error" and r.url is not None}
    unreported = [u for u in failing if u not in reported]
    spared = len(unreported)
    if unreported:  # a fail-fast subject owes nothing for what it never started
        unstarted = owed_nothing(record)
        unreported = [u for u in unreported if u not in unstarted]
    spared -= len(unreported)
    if not unreported:
        message = (
            f"all {plural(len(failing) - spared, 'failing URL')} reported with their exception"
        )
        return Verdict(NAME, True, message + excused(spared))
    message_deaths = deaths(record)

    explain = _Explainer(record)
    lines = [explain(url) for url in unreported[:_EVIDENCE_LINES]]
    if len(unreported) == 1:
        message = lines[0]
    else:
        message = (
            f"{len(unreported)} of {len(failing)} failing URLs not reported: "
            f"{url_list(unreported)}; first: {lines[0]}"
        )
    evidence = list(lines)
    if len(unreported) > _EVIDENCE_LINES:
        evidence.append(f"... and {len(unreported) - _EVIDENCE_LINES} more")
    nameless = [r for r in results if r.kind == "error" and r.url is None]
    for r in nameless[:3]:
        evidence.append(f"an exception among the results names no URL: {r.detail}")
    return Verdict(NAME, False, message + message_deaths, evidence=tuple(evidence))


class _Explainer:
    """Says, for one unreported failing URL, when it failed and what came back instead."""

    def __init__(self, record: RunRecord) -> None:
        self.results: tuple[ResultItem, ...] = record.results or ()
        self.urls = record.scenario.urls
        self.index = {url: i for i, url in enumerate(self.urls)}
        self.failed: dict[str, float] = {}
        self.started: set[str] = set()
        for e in record.trace:
            if e.kind == FAIL:
                self.failed.setdefault(e.url, e.time)
            elif e.kind == START:
                self.started.add(e.url)
        # Order is free, but when every item that names a URL sits at that URL's index,
        # the subject kept URL order and the item at a failing URL's index stands for it.
        self.aligned = len(self.results) == len(self.urls) and all(
            r.url is None or r.url == u for r, u in zip(self.results, self.urls, strict=True)
        )
        # Looked up for every unreported URL, so gathered once: the first item naming
        # each URL, and how many items are None.
        self.first_naming: dict[str, ResultItem] = {}
        for r in self.results:
            if r.url is not None:
                self.first_naming.setdefault(r.url, r)
        self.nones = sum(r.kind == "none" for r in self.results)

    def __call__(self, url: str) -> str:
        if url in self.failed:
            head = f"{url} failed at t={at(self.failed[url])}"
        elif url in self.started:
            head = f"{url} (scripted to fail) started but never failed"
        else:
            head = f"{url} (scripted to fail) was never downloaded"
        return f"{head} but no result names it ({self._instead(url)})"

    def _instead(self, url: str) -> str:
        own = self.first_naming.get(url)
        if own is not None:
            return f"it came back as {own.detail}"
        if self.aligned:
            item = self.results[self.index[url]]
            if item.kind == "none":
                return "the subject returned None for it"
            if item.kind == "error":
                return f"the subject returned an exception naming no URL for it: {item.detail}"
            return f"the subject returned {item.detail} for it"
        if self.nones:
            return f"the results hold {plural(self.nones, 'None', 'None items')}"
        if len(self.results) < len(self.urls):
            return (
                f"{plural(len(self.results), 'result')} for {plural(len(self.urls), 'URL')}: "
                "it is missing"
            )
        return "nothing among the results stands for it"
