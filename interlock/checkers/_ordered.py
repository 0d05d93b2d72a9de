"""``ordered``: a subject that promises URL order (``PROMISES = {"ordered": True}``)
returns its results in that order.

In order means: the URLs the items name never go backwards in the URL list, and
when there is one item per URL, item i names URL i. An item that names no URL
(None, an exception without a URL) takes its place without being judged here:
``no_lost_results`` and ``errors_reported`` judge what it is. A subject that
promises nothing about order always holds.
"""

from __future__ import annotations

from ..models import RunRecord, Verdict
from ..models.subject import promises_of
from ._common import judged_results, not_returned, plural, url_list
from ._registry import invariant

__all__ = ["ordered"]

NAME = "ordered"
_NOT_PROMISED = Verdict(NAME, True, "not promised: the results' order is free")


@invariant(
    NAME,
    column="order",
    order=82,
    summary="results come back in URL order, when the subject promises it",
)
def ordered(record: RunRecord) -> Verdict:
    """The first item out of its place, found by walking the results once."""
    if not promises_of(record.subject).ordered:
        return _NOT_PROMISED
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}")
    urls = record.scenario.urls
    index = {url: i for i, url in enumerate(urls)}
    named = [(at, index[r.url]) for at, r in enumerate(record.results) if r.url in index]
    wrong = _first_misplaced(named, urls, len(record.results) == len(urls))
    if wrong is None:
        message = f"{plural(len(named), 'result')} naming a URL, each in its URL's place"
        return Verdict(NAME, True, message)
    returned = [urls[i] for _, i in named]
    evidence = (f"returned order: {url_list(returned, 20)}", f"URL order: {url_list(urls, 20)}")
    message = f"{wrong} (the subject promises results in URL order)"
    return Verdict(NAME, False, message, evidence=evidence)


def _first_misplaced(named: list[tuple[int, int]], urls: list[str], one_per_url: bool):
    """What is wrong with the first item out of order (None: nothing is).

    With one item per URL, item i must be URL i's; otherwise (some items missing or
    extra) the URLs named must merely never go backwards."""
    previous = -1
    for at, i in named:
        if one_per_url and i != at:
            return f"result {at} is {urls[i]}'s, where URL order puts {urls[at]}'s"
        if i < previous:
            return f"result {at} is {urls[i]}'s, after {urls[previous]}'s"
        previous = i
    return None
