"""The true lower bound: a subject run with no scheduler at all.

The subject's own code on CPython's own threads (``threading.Thread.start`` and
``join`` as the interpreter ships them, nothing patched), with downloads that
complete at once: ``fetch`` hands back the payload (or raises the failure) the
fake downloader would, without a wait, a clock or a record. No verifier that runs
the subject's code can do less per run, so ``interlock bench`` prints interlock's
cost as a multiple of it. The floor (``_floor``) is a scheduler; this is not.
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import DownloadFailed, Scenario, Subject, UnknownURL, make_payload

__all__ = ["instant_fetch", "run_without_scheduler"]


def instant_fetch(scenario: Scenario) -> Callable[[str], bytes]:
    """A fetch that completes at once, with what the fake downloader would return."""

    def fetch(url: str) -> bytes:
        task = scenario.task(url) if isinstance(url, str) else None
        if task is None:
            raise UnknownURL(url)
        if task.fails:
            raise DownloadFailed(url)
        return make_payload(scenario.seed, url, task.size)

    return fetch


def run_without_scheduler(subject: Subject, scenario: Scenario) -> list:
    """One run of ``subject`` on ``scenario`` on real threads, downloads instant."""
    fetch = instant_fetch(scenario)
    return list(subject.download_all(scenario.urls, fetch, scenario.limit))
