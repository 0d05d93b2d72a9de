"""``no_duplicates``: no URL downloaded twice, no URL's result delivered twice."""

from __future__ import annotations

from collections import Counter

from ..models import RunRecord, Verdict
from ..models.events import START
from ._common import at, keep, not_returned, plural
from ._registry import invariant

__all__ = ["no_duplicates"]

NAME = "no_duplicates"
_NAMED = 5  # duplicates named in the one-line message; evidence has them all
_HELD: dict = {}  # holding verdicts of runs that returned, by (started, results): see ``keep``


@invariant(
    NAME,
    column="dups",
    order=30,
    summary="no URL is downloaded twice and no URL's result is delivered twice",
)
def no_duplicates(record: RunRecord) -> Verdict:
    """Downloads are judged from the trace on every run (a second start is visible even
    when the run deadlocks later); delivered results only when download_all returned.
    A result is "for" a URL when it names it: a payload of it or an error about it,
    intact or not, so a payload and an error for the same URL are two deliveries."""
    # Most runs have no duplicate: a set tells so before anything is built per URL.
    started = [e.url for e in record.trace.events if e.kind == START]
    n_started = len(set(started))
    twice_started: dict[str, list] = {}
    if n_started < len(started):
        starts: dict[str, list] = {}
        for e in record.trace:
            if e.kind == START:
                starts.setdefault(e.url, []).append(e)
        twice_started = {u: es for u, es in starts.items() if len(es) > 1}

    results = record.results
    twice_delivered: dict[str, int] = {}
    if results is not None:
        named = [r.url for r in results if r.url is not None]
        if len(set(named)) < len(named):
            twice_delivered = {u: n for u, n in Counter(named).items() if n > 1}
    surplus = (
        results is not None and not twice_delivered and len(results) > len(record.scenario.tasks)
    )

    parts: list[str] = []
    evidence: list[str] = []
    if twice_started:
        if len(twice_started) == 1:
            ((url, es),) = twice_started.items()
            when = ", ".join(f"t={at(e.time)} by {e.thread}" for e in es)
            parts.append(f"{url} downloaded {len(es)} times ({when})")
        else:
            named = ", ".join(
                f"{u} ({len(es)} times)" for u, es in list(twice_started.items())[:_NAMED]
            )
            more = ", ..." if len(twice_started) > _NAMED else ""
            parts.append(
                f"{plural(len(twice_started), 'URL')} downloaded more than once: {named}{more}"
            )
        for url, es in twice_started.items():
            when = ", ".join(f"t={at(e.time)} by {e.thread}" for e in es)
            evidence.append(f"{url} started {len(es)} times: {when}")
    if twice_delivered:
        if len(twice_delivered) == 1:
            ((url, n),) = twice_delivered.items()
            parts.append(f"{url}'s result delivered {n} times")
        else:
            named = ", ".join(f"{u} ({n} times)" for u, n in list(twice_delivered.items())[:_NAMED])
            more = ", ..." if len(twice_delivered) > _NAMED else ""
            parts.append(
                f"{plural(len(twice_delivered), 'URL')}' results delivered more than once: "
                f"{named}{more}"
            )
        for url in twice_delivered:
            items = [r.detail for r in results or () if r.url == url]
            evidence.append(f"{url} delivered as: {'; '.join(items)}")
    if surplus:
        # Nothing names a URL twice, yet there are more items than URLs: duplicates
        # that cannot be attributed (several None, say).
        parts.append(
            f"{plural(len(results), 'result')} for {plural(len(record.scenario.tasks), 'URL')}"
        )
    if parts:
        return Verdict(NAME, False, "; ".join(parts), evidence=tuple(evidence))
    if results is None:
        message = f"each of {plural(n_started, 'URL')} downloaded once"
        return Verdict(NAME, True, f"{message}; results not judged: {not_returned(record)}")
    key = (n_started, len(results))
    verdict = _HELD.get(key)
    if verdict is None:
        message = (
            f"each of {plural(n_started, 'URL')} downloaded once; "
            f"no URL's result among {plural(len(results), 'result')} delivered twice"
        )
        verdict = keep(_HELD, key, Verdict(NAME, True, message))
    return verdict
