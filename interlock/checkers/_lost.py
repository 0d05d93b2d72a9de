"""``no_lost_results``: every URL that succeeds has its intact payload among the results."""

from __future__ import annotations

from ..models import ResultItem, RunRecord, Verdict
from ..models.events import FINISH, START, UNKNOWN
from ._common import (
    at,
    deaths,
    excused,
    judged_results,
    keep,
    not_returned,
    owed_nothing,
    plural,
    scenario_facts,
    url_list,
)
from ._registry import invariant

__all__ = ["no_lost_results"]

NAME = "no_lost_results"
_EVIDENCE_LINES = 20
_HELD: dict = {}  # holding verdicts by (succeeding, spared, results): see ``keep``


@invariant(
    NAME,
    column="lost",
    order=20,
    summary="every successful download's intact payload is among the results",
)
def no_lost_results(record: RunRecord) -> Verdict:
    """A succeeding URL is lost when no intact payload of it was returned. Returned items
    that cannot be any URL's result count too: a corrupted payload (wrong bytes, wrong
    seed, or a URL the scenario lacks), an error naming a URL the scenario lacks, and
    anything that is neither a payload, an exception nor None. A subject that promises
    fail-fast owes nothing for the URLs it never started once a download failed."""
    if not judged_results(record):
        return Verdict(NAME, True, f"not judged: {not_returned(record)}")
    scenario = record.scenario
    results = record.results or ()
    intact: set[str | None] = set()
    corrupted: list[ResultItem] = []
    unnamed: list[ResultItem] = []
    stray: list[ResultItem] = []  # errors naming a URL the scenario lacks
    for r in results:
        kind = r.kind
        if kind == "payload":
            if r.intact:
                intact.add(r.url)
            else:
                corrupted.append(r)
        elif kind == "other":
            unnamed.append(r)
        elif kind == "error" and r.url is not None and scenario.task(r.url) is None:
            stray.append(r)
    succeeding = scenario_facts(scenario).succeeding
    missing = [u for u in succeeding if u not in intact]
    spared = len(missing)
    if missing:  # a fail-fast subject owes nothing for what it never started
        unstarted = owed_nothing(record)
        missing = [u for u in missing if u not in unstarted]
    spared -= len(missing)

    if not (missing or corrupted or unnamed or stray):
        key = (len(succeeding), spared, len(results))
        verdict = _HELD.get(key)
        if verdict is None:
            if not succeeding:
                message = (
                    f"no URL is scripted to succeed; {plural(len(results), 'result')}, none amiss"
                )
            else:
                message = (
                    f"all {len(succeeding) - spared} successful URLs have their intact payload "
                    f"among {plural(len(results), 'result')}"
                )
            verdict = keep(_HELD, key, Verdict(NAME, True, message + excused(spared)))
        return verdict

    parts: list[str] = []
    if missing:
        parts.append(
            f"{len(missing)} of {len(succeeding)} successful URLs have no intact payload "
            f"among {plural(len(results), 'result')}: {url_list(missing)}"
        )
    if corrupted:
        details = ", ".join(r.detail for r in corrupted[:3])
        more = f" and {len(corrupted) - 3} more" if len(corrupted) > 3 else ""
        parts.append(f"{plural(len(corrupted), 'corrupted payload')}: {details}{more}")
    if unnamed:
        details = ", ".join(r.detail for r in unnamed[:3])
        more = f" and {len(unnamed) - 3} more" if len(unnamed) > 3 else ""
        parts.append(f"{plural(len(unnamed), 'result')} naming no URL: {details}{more}")
    if stray:
        parts.append(
            f"{plural(len(stray), 'error')} for URLs not in the scenario: "
            f"{url_list([r.url for r in stray])}"
        )
    message = "; ".join(parts) + deaths(record)
    return Verdict(NAME, False, message, evidence=_evidence(record, missing, corrupted))


def _evidence(record: RunRecord, missing: list[str], corrupted: list) -> tuple[str, ...]:
    """For each lost URL: was it downloaded at all, and what came back in its place."""
    finished = {}
    started = set()
    for e in record.trace:
        if e.kind == FINISH:
            finished.setdefault(e.url, e)
        elif e.kind == START:
            started.add(e.url)
    damaged = {r.url for r in corrupted}
    lines: list[str] = []
    for url in missing[:_EVIDENCE_LINES]:
        if url in finished:
            e = finished[url]
            what = f"downloaded (finished at t={at(e.time)} by {e.thread}) but its payload was not returned"
        elif url in started:
            what = "started but its download never finished"
        else:
            what = "never downloaded"
        if url in damaged:
            what += "; a corrupted payload came back instead"
        lines.append(f"{url}: {what}")
    if len(missing) > _EVIDENCE_LINES:
        lines.append(f"... and {len(missing) - _EVIDENCE_LINES} more lost URLs")
    for e in record.trace:
        if e.kind == UNKNOWN:
            lines.append(
                f"fetch() was called with {e.url!r}, which is not in the scenario, "
                f"at t={at(e.time)} by {e.thread}"
            )
    return tuple(lines)
